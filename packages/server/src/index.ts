/** @pecta/server: the Pecta REST API on an embedded store, as a library (the `pecta` CLI is a thin shell on it). */
export { buildApp, VERSION, type AppOptions, type PectaApp } from './app.js';
export { startServer, openStore, type RunningServer } from './server.js';
export { loadConfig, DEFAULT_CONFIG, ConfigError, type ServerConfig } from './config.js';
export { ApiError, type ErrorBody, type ErrorCode } from './errors.js';
export { bootstrapIfEmpty, createOrganization, issueKey } from './orgs.js';
export * from './reputation.js';
export type * from './store/types.js';
