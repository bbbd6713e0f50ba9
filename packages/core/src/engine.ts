import { BudgetExceeded, Meter } from './budget.js';
import { newEvaluationId } from './ids.js';
import { MAX_GATE_NAME_LENGTH } from './gates/options.js';
import { isSignalFree, NEVER_ABORTED } from './signal-free.js';
import type { Engine, EngineOptions, EvaluationContext, EvaluationResult, Gate, GateOutcome, GateResult } from './types.js';
import { MAX_GATES_PER_EVENT, MAX_REASON_LENGTH, truncate } from './wire/index.js';

export const DEFAULT_TIMEOUT_MS = 50;
/** An engine whose results the ingest API could not take (too many gates per event) is refused up front. */
export const MAX_GATES = MAX_GATES_PER_EVENT;
/** Reasons are cut to what the ingest API accepts. */
export { MAX_REASON_LENGTH };

export const REASON_TIMEOUT = 'pecta:timeout';
export const REASON_ABORTED = 'pecta:aborted';

/**
 * Builds an engine from gates. Everything that can be wrong with the configuration throws here, at start-up, rather
 * than on the first evaluation.
 */
export function createEngine(options: EngineOptions): Engine {
  if (options === null || typeof options !== 'object') throw new TypeError('createEngine: options must be an object');
  const { gates, timeout = DEFAULT_TIMEOUT_MS, failFast = true } = options;
  if (!Array.isArray(gates)) throw new TypeError('createEngine: gates must be an array');
  if (gates.length > MAX_GATES) throw new TypeError(`createEngine: at most ${MAX_GATES} gates`);
  if (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout)) {
    throw new TypeError('createEngine: timeout must be a positive finite number of milliseconds');
  }
  if (typeof failFast !== 'boolean') throw new TypeError('createEngine: failFast must be a boolean');
  const names = new Set<string>();
  gates.forEach((gate: Gate, index: number) => {
    if (gate === null || typeof gate !== 'object') throw new TypeError(`createEngine: gate #${index} is not an object`);
    const { name } = gate;
    if (typeof name !== 'string' || name.trim() === '') {
      throw new TypeError(`createEngine: gate #${index} needs a non-empty name`);
    }
    if (name.length > MAX_GATE_NAME_LENGTH) {
      throw new TypeError(`createEngine: gate #${index} name is longer than ${MAX_GATE_NAME_LENGTH} characters`);
    }
    if (names.has(name)) throw new TypeError(`createEngine: duplicate gate name "${name}"`);
    names.add(name);
    if (typeof gate.run !== 'function') throw new TypeError(`createEngine: gate "${name}" needs a run function`);
  });
  const frozenGates = Object.freeze([...gates]);
  const signalFree = frozenGates.every(isSignalFree);
  return Object.freeze({
    gates: frozenGates,
    timeout,
    failFast,
    evaluate: (ctx: EvaluationContext) => evaluate(frozenGates, timeout, failFast, signalFree, ctx),
  });
}

type Settled = { outcome: GateOutcome } | { error: unknown };

/**
 * One evaluation. Every gate is started before any result is looked at ("started at once"), so a synchronous gate
 * always runs to completion; failFast and the timeout can only cut short gates that are still pending. When every
 * gate answers synchronously no timer or promise machinery is created at all, which keeps the in-process hot path in
 * the microseconds.
 */
async function evaluate(
  gates: readonly Gate[],
  timeout: number,
  failFast: boolean,
  signalFree: boolean,
  ctx: EvaluationContext,
): Promise<EvaluationResult> {
  if (ctx === null || typeof ctx !== 'object') throw new TypeError('evaluate: context must be an object');
  if (typeof ctx.agent_id !== 'string' || ctx.agent_id === '') {
    throw new TypeError('evaluate: context.agent_id must be a non-empty string');
  }
  const createdAt = new Date();
  const start = performance.now();
  const deadline = start + timeout;
  // No gate of a signal-free engine would ever see an abort: see signal-free.ts.
  const controller = signalFree ? null : new AbortController();
  const signal = controller === null ? NEVER_ABORTED : controller.signal;
  // The engine's timer cannot interrupt a synchronous gate: gates observe the deadline through the meter.
  const meter = new Meter(deadline);
  const results: (GateResult | undefined)[] = new Array(gates.length);
  const pending: number[] = [];
  const promises: (PromiseLike<GateOutcome> | undefined)[] = new Array(gates.length);
  // Each gate's latency is its own: from the moment it was started until it answered.
  const begun = new Float64Array(gates.length);
  let failed = false;

  for (let i = 0; i < gates.length; i++) {
    const gate = gates[i]!;
    let value: GateOutcome | PromiseLike<GateOutcome>;
    begun[i] = performance.now();
    if (begun[i]! > deadline) {
      // The gates before it spent the budget: starting this one could only overrun it further.
      results[i] = timedOut(gate.name, 0);
      failed = true;
      continue;
    }
    try {
      value = gate.run(ctx, signal, meter);
    } catch (error) {
      const now = performance.now();
      results[i] =
        error instanceof BudgetExceeded || now > deadline
          ? timedOut(gate.name, now - begun[i]!)
          : toResult(gate.name, { error }, now - begun[i]!);
      failed = true;
      continue;
    }
    if (isThenable(value)) {
      promises[i] = value;
      pending.push(i);
    } else {
      const now = performance.now();
      // A synchronous gate that blocks past the budget answered too late to be trusted with the verdict.
      results[i] = now > deadline ? timedOut(gate.name, now - begun[i]!) : toResult(gate.name, { outcome: value }, now - begun[i]!);
      if (!results[i]!.passed) failed = true;
    }
  }

  if (pending.length > 0) {
    const expired = performance.now() >= deadline;
    if (expired || (failFast && failed)) {
      controller?.abort();
      const now = performance.now();
      for (const i of pending) {
        // Once the budget is spent, the honest reason is the timeout, whoever failed first.
        results[i] = expired ? timedOut(gates[i]!.name, now - begun[i]!) : aborted(gates[i]!.name, now - begun[i]!);
        // A late rejection of an abandoned gate must not surface as an unhandled rejection.
        Promise.resolve(promises[i]).catch(noop);
      }
    } else {
      await settlePending(gates, promises, pending, results, controller, begun, deadline, failFast);
    }
  }

  const gateResults = results as GateResult[];
  let passed = true;
  for (const r of gateResults) if (!r.passed) passed = false;
  const result: EvaluationResult = {
    evaluation_id: newEvaluationId(createdAt.getTime()),
    agent_id: ctx.agent_id,
    passed,
    gates: gateResults,
    total_latency_ms: round3(performance.now() - start),
    created_at: createdAt.toISOString(),
  };
  if (ctx.tool !== undefined) result.tool = ctx.tool;
  if (ctx.latency_ms !== undefined) result.latency_ms = ctx.latency_ms;
  return result;
}

function settlePending(
  gates: readonly Gate[],
  promises: (PromiseLike<GateOutcome> | undefined)[],
  pending: number[],
  results: (GateResult | undefined)[],
  controller: AbortController | null,
  begun: Float64Array,
  deadline: number,
  failFast: boolean,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let remaining = pending.length;
    let finished = false;
    const finish = (reason: typeof REASON_TIMEOUT | typeof REASON_ABORTED): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const now = performance.now();
      for (const i of pending) {
        if (results[i] === undefined) {
          const elapsed = now - begun[i]!;
          results[i] = reason === REASON_TIMEOUT ? timedOut(gates[i]!.name, elapsed) : aborted(gates[i]!.name, elapsed);
        }
      }
      if (reason === REASON_TIMEOUT || remaining > 0) controller?.abort();
      resolve();
    };
    const timer = setTimeout(() => finish(REASON_TIMEOUT), Math.max(0, deadline - performance.now()));
    for (const i of pending) {
      const settle = (settled: Settled): void => {
        if (finished) return;
        const now = performance.now();
        const elapsed = now - begun[i]!;
        results[i] = now > deadline ? timedOut(gates[i]!.name, elapsed) : toResult(gates[i]!.name, settled, elapsed);
        remaining--;
        if (failFast && !results[i]!.passed) finish(REASON_ABORTED);
        else if (remaining === 0) finish(REASON_ABORTED);
      };
      Promise.resolve(promises[i]!).then(
        (outcome) => settle({ outcome }),
        (error: unknown) => settle({ error }),
      );
    }
  });
}

function toResult(name: string, settled: Settled, elapsed: number): GateResult {
  const latency_ms = round3(elapsed);
  if ('error' in settled) {
    return { name, passed: false, latency_ms, reason: `pecta:error ${errorClass(settled.error)} thrown by gate` };
  }
  const outcome = settled.outcome;
  if (outcome === null || typeof outcome !== 'object' || typeof outcome.passed !== 'boolean') {
    return { name, passed: false, latency_ms, reason: 'pecta:invalid-outcome gate did not return { passed: boolean }' };
  }
  // Skipped counts as passing (docs/sdk.md): reporting it as passed keeps failFast and overall verdicts consistent.
  const skipped = outcome.skipped === true;
  const result: GateResult = { name, passed: skipped || outcome.passed, latency_ms };
  if (typeof outcome.reason === 'string' && outcome.reason !== '') {
    result.reason = truncate(outcome.reason, MAX_REASON_LENGTH);
  }
  if (skipped) result.skipped = true;
  if (outcome.details !== undefined) result.details = outcome.details;
  return result;
}

function timedOut(name: string, elapsed: number): GateResult {
  return { name, passed: false, latency_ms: round3(elapsed), reason: REASON_TIMEOUT };
}

function aborted(name: string, elapsed: number): GateResult {
  return { name, passed: false, latency_ms: round3(elapsed), reason: REASON_ABORTED, aborted: true };
}

/** The class of a thrown value, never its message: messages routinely quote the payload that caused them. */
export function errorClass(error: unknown): string {
  if (error instanceof Error) {
    const name = error.constructor?.name || error.name;
    return /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? name : 'Error';
  }
  if (error === null) return 'null';
  return typeof error;
}

function isThenable(value: unknown): value is PromiseLike<GateOutcome> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function noop(): void {}
