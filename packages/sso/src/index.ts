export * from './federated-identity.ts';
export * from './oidc/index.ts';
export * from './saml/index.ts';
