export * from './settings.ts';
export * from './rejection.ts';
export * from './state-port.ts';
export * from './service-provider.ts';
export * from './sp-metadata.ts';
export * from './idp-metadata.ts';
export { identityFromProfile } from './identity.ts';
export { MAX_RESPONSE_BYTES } from './response-shape.ts';
export * from './from-config.ts';
