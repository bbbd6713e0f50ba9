export { PectaTelemetry } from './client.js';
export type { ShutdownOptions, Telemetry, TelemetryOptions, TelemetryStats } from './types.js';
