export { startGatehouse, type StartOptions, type RunningGatehouse } from './server/start.ts';
export { serveGatehouse, serveStartOptions, type ServeFlags } from './server/serve-gatehouse.ts';
export { apply, type ApplyOptions, type ApplyResult } from './config/apply.ts';
export { formatChange, type Change } from './config/plan.ts';
export { loadConfigFile, parseConfig, ConfigError, formatIssue, type LocatedIssue, type LoadOptions } from './config/load.ts';
export { configSchema, type GatehouseConfig, type ConfigInput } from './config/schema.ts';
export { toServerOptions } from './config/server-options.ts';
export { createLogger, REDACT_PATHS } from './server/logger.ts';
export { listenGateway, type ListeningGateway } from './gateway/listen-gateway.ts';
