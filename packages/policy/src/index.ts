export * from './cedar/index.ts';
