/**
 * pecta-proxy as a library: the relay (no processes), the process wrapper, and the pieces the CLI is made of.
 * Most users want the CLI: `pecta-proxy [options] <server command> [args...]` (docs/proxy.md).
 */
export { main, run, resolveSettings, USAGE, VERSION, DEFAULT_ENDPOINT, type Settings, type MainDeps } from './cli.js';
export { parseArgs, UsageError, type CliArgs } from './args.js';
export { loadConfigFile, parseConfig, ConfigError, type FileConfig } from './config.js';
export { DEFAULT_MAX_LINE_BYTES, LineSplitter, lineTerminator } from './framing.js';
export { type GatedMethod, type GateSwitches } from './gated.js';
export { BLOCKED_ERROR_CODE, blockedResponse, blockedSummary, idKey, publicGates, SESSION_ENDED_ERROR_CODE, type RequestId } from './jsonrpc.js';
export { DecisionLog, logEntry, logsDir, pectaHome, verboseLine, type Action, type LogEntry } from './log.js';
export { runProxy, exitCode, EXIT_LINE_TOO_LONG, type ProxyIO, type ProxyOptions } from './proxy.js';
export { Relay, type Decision, type RelayOptions, type ResponseKind } from './relay.js';
export { pectaTelemetry, type TelemetryFactory, type TelemetrySettings, type TelemetrySink } from './telemetry.js';
