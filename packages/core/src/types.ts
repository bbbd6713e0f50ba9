/**
 * The wire-level shapes of the gate engine (docs/sdk.md). Everything here is plain data so that results can be
 * logged, shipped by telemetry and compared across the three integration modes.
 */

import type { Budget } from './budget.js';

export type { Budget } from './budget.js';

/** What a gate sees. `input`, `output` and gate `details` never leave the process (the data boundary). */
export interface EvaluationContext {
  agent_id: string;
  tool?: string;
  input?: unknown;
  output: unknown;
  /** How long the agent or tool took to produce `output`, in milliseconds. */
  latency_ms?: number;
  /** OpenRTB `tmax` of the auction being answered, in milliseconds. */
  tmaxMs?: number;
  /** When the auction request arrived, as epoch milliseconds (`Date.now()` clock). */
  startedAt?: number;
}

export interface GateOutcome {
  passed: boolean;
  reason?: string;
  skipped?: boolean;
  /** Gate-specific diagnostics for in-process callers only; never persisted or transmitted. */
  details?: unknown;
}

export interface Gate {
  name: string;
  /**
   * `signal` is aborted when the evaluation gives up on the gate (timeout or failFast). `budget` carries the
   * evaluation's deadline: a gate that works synchronously cannot be interrupted, so a long-running one should
   * check `budget.expired()` as it goes and stop. The engine always passes both; a direct call may omit `budget`.
   */
  run(ctx: EvaluationContext, signal: AbortSignal, budget?: Budget): GateOutcome | Promise<GateOutcome>;
}

export interface GateResult {
  name: string;
  passed: boolean;
  /** Milliseconds from this gate's start until it answered (or was given up on): its own latency, not the total's. */
  latency_ms: number;
  reason?: string;
  skipped?: boolean;
  aborted?: boolean;
  details?: unknown;
}

export interface EvaluationResult {
  evaluation_id: string;
  agent_id: string;
  tool?: string;
  passed: boolean;
  gates: GateResult[];
  /** Wall-clock milliseconds for the whole evaluation (not the sum of the gates). */
  total_latency_ms: number;
  /** The agent's own latency, copied from the context when given. */
  latency_ms?: number;
  created_at: string;
}

export interface EngineOptions {
  gates: readonly Gate[];
  /** One wall-clock budget in milliseconds for the whole evaluation. Default 50. */
  timeout?: number;
  /** Abort the other gates as soon as one fails. Default true. */
  failFast?: boolean;
}

export interface Engine {
  readonly gates: readonly Gate[];
  readonly timeout: number;
  readonly failFast: boolean;
  evaluate(ctx: EvaluationContext): Promise<EvaluationResult>;
}

/** Every gate factory accepts at least a name override. */
export interface GateOptions {
  name?: string;
}
