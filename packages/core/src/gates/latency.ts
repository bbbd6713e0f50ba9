import type { Gate, GateOptions } from '../types.js';
import { assertOptionsObject, gateName } from './options.js';
import { markSignalFree } from '../signal-free.js';

export interface LatencyOptions extends GateOptions {
  /** Largest acceptable `ctx.latency_ms`, in milliseconds. */
  maxMs: number;
}

/**
 * Fails when the agent took longer than `maxMs`. Skipped (passing) when the context carries no latency; a latency
 * that is present but not a finite non-negative number fails, because it hides a bug in the caller.
 */
export function latency(options: LatencyOptions): Gate {
  assertOptionsObject(options, 'latency');
  if (options === undefined) throw new TypeError('latency: options { maxMs } are required');
  const { maxMs } = options;
  if (typeof maxMs !== 'number' || !Number.isFinite(maxMs) || maxMs <= 0) {
    throw new TypeError('latency: maxMs must be a positive finite number');
  }
  const name = gateName(options, 'latency');
  return markSignalFree({
    name,
    run(ctx) {
      const observed = ctx.latency_ms;
      if (observed === undefined || observed === null) {
        return { passed: true, skipped: true, reason: 'no latency_ms in context' };
      }
      if (typeof observed !== 'number' || !Number.isFinite(observed) || observed < 0) {
        return { passed: false, reason: 'latency_ms is not a finite non-negative number' };
      }
      if (observed > maxMs) {
        return { passed: false, reason: `latency ${observed} ms exceeds limit of ${maxMs} ms`, details: { observed, maxMs } };
      }
      return { passed: true };
    },
  });
}
