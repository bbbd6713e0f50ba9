import type { Gate, GateOptions, GateOutcome } from '../../types.js';
import { assertOptionsObject, gateName } from '../options.js';
import { markSignalFree } from '../../signal-free.js';

export interface TmaxGuardOptions extends GateOptions {
  /** Milliseconds of the auction's `tmax` that must still be left for the answer to be worth checking. Default 15. */
  bufferMs?: number;
}

export const DEFAULT_TMAX_BUFFER_MS = 15;

/**
 * `rtb.tmax-guard`: when the auction deadline (`ctx.startedAt + ctx.tmaxMs`) is less than `bufferMs` away, the
 * gate returns `skipped` (which counts as passing) with a reason, so the caller can see that the answer went out
 * under deadline pressure. A context without a numeric `tmaxMs` or `startedAt` passes: there is no deadline to
 * guard. A `startedAt` in the future (clock skew) counts as no time elapsed.
 */
export function tmaxGuard(options?: TmaxGuardOptions): Gate {
  return createTmaxGuard(options, () => Date.now());
}

/** The factory behind {@link tmaxGuard} with an injectable clock; not part of the public API (tests use it). */
export function createTmaxGuard(options: TmaxGuardOptions | undefined, now: () => number): Gate {
  assertOptionsObject(options, 'rtb.tmaxGuard');
  const bufferMs: unknown = options?.bufferMs === undefined ? DEFAULT_TMAX_BUFFER_MS : options.bufferMs;
  if (typeof bufferMs !== 'number' || !Number.isFinite(bufferMs) || bufferMs < 0) {
    throw new TypeError('rtb.tmaxGuard: bufferMs must be a finite number ≥ 0');
  }
  const name = gateName(options, 'rtb.tmax-guard');
  return markSignalFree({
    name,
    run(ctx): GateOutcome {
      const tmaxMs: unknown = ctx.tmaxMs;
      const startedAt: unknown = ctx.startedAt;
      if (!isFiniteNumber(tmaxMs) || !isFiniteNumber(startedAt)) return { passed: true };
      const elapsedMs = Math.max(0, now() - startedAt);
      const remainingMs = tmaxMs - elapsedMs;
      if (remainingMs >= bufferMs) return { passed: true };
      const reason =
        remainingMs < 0
          ? `auction deadline already passed: ${Math.ceil(-remainingMs)} ms over, buffer ${bufferMs} ms`
          : `auction deadline too close: ${Math.floor(remainingMs)} ms left, buffer ${bufferMs} ms`;
      return { passed: true, skipped: true, reason, details: { remainingMs, bufferMs, tmaxMs, elapsedMs } };
    },
  });
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
