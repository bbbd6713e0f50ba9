/**
 * @pecta/core — the in-process gate engine, the built-in gates and the telemetry client.
 * Everything exported here uses only web-standard APIs, so it runs in Node.js 20+, browsers and edge runtimes.
 */
export { createEngine, DEFAULT_TIMEOUT_MS, MAX_GATES, MAX_REASON_LENGTH, REASON_ABORTED, REASON_TIMEOUT } from './engine.js';
export { newEvaluationId, evaluationIdTime } from './ids.js';
export { BudgetExceeded, type Budget } from './budget.js';
export { gates, defaultGates, walkStrings, collectStrings, evaluateCommand, evaluateArgv } from './gates/index.js';
export type { WalkOptions } from './gates/index.js';
export type { LatencyOptions } from './gates/latency.js';
export type { SchemaOptions, AnySchema, SchemaIssue } from './gates/schema.js';
export type { FilesystemOptions, FilesystemFamily } from './gates/filesystem/index.js';
export type { PiiOptions, PiiDetails, PiiType } from './gates/pii.js';
export type { ContentOptions } from './gates/content.js';
export type { CommandFamily, CommandsDetails, CommandsOptions, CommandVerdict, FamilyOptions as CommandFamilyOptions } from './gates/commands/index.js';
export type { InjectionOptions, InjectionDetails, InjectionKind } from './gates/injection.js';
export type {
  AdomainVerifyOptions,
  AudienceSafetyOptions,
  BcatComplianceOptions,
  BidSanityOptions,
  ImpidMatchOptions,
  TmaxGuardOptions,
} from './gates/rtb/index.js';
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
export { PectaTelemetry } from './telemetry/index.js';
export type { ShutdownOptions, Telemetry, TelemetryOptions, TelemetryStats } from './telemetry/index.js';
