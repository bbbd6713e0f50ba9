/**
 * The wire contract: limits, the key format, identifier rules and the shapes that cross the data boundary. Defined
 * once and imported by the server's schemas, the telemetry client, the proxy and the dashboard. No Node APIs and no
 * dependencies, so a browser bundle can import it alone (`@pecta/core/wire`).
 */
export * from './limits.js';
export * from './keys.js';
export * from './text.js';
export * from './gate.js';
export type { IngestEvent, IngestGate } from './event.js';
