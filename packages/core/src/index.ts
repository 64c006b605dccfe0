export * from './errors.ts';
export * from './scope.ts';
export * from './ids.ts';
export * from './clock.ts';
export * from './resource-uri.ts';
export * from './model.ts';
export * from './events.ts';
export * from './token-hash.ts';
