/**
 * @pecta/core — the in-process gate engine, the built-in gates and (soon) the telemetry client.
 * Everything exported here uses only web-standard APIs, so it runs in Node.js 20+, browsers and edge runtimes.
 */
export { createEngine, DEFAULT_TIMEOUT_MS, MAX_GATES, MAX_REASON_LENGTH, REASON_ABORTED, REASON_TIMEOUT } from './engine.js';
export { newEvaluationId, evaluationIdTime } from './ids.js';
export { gates, defaultGates, walkStrings, collectStrings } from './gates/index.js';
export type { WalkOptions } from './gates/index.js';
export type { LatencyOptions } from './gates/latency.js';
export type { SchemaOptions, SafeParseSchema, SchemaIssue } from './gates/schema.js';
export type {
  Engine,
  EngineOptions,
  EvaluationContext,
  EvaluationResult,
  Gate,
  GateOptions,
  GateOutcome,
  GateResult,
} from './types.js';
// Telemetry (PectaTelemetry, SPEC §2.2) lands in ./telemetry/ with the server issue; see ./telemetry/README.md.
