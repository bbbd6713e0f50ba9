export { PectaTelemetry } from './client.js';
export type { Telemetry, TelemetryOptions, TelemetryStats } from './types.js';
