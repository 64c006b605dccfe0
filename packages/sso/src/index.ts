export * from './federated-identity.ts';
export * from './saml/index.ts';
