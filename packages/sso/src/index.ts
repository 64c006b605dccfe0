export * from './federated-identity.ts';
