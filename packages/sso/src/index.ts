export * from './federated-identity.ts';
export * from './oidc/index.ts';
