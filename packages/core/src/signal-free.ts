/**
 * Gates that never look at the AbortSignal the engine hands them: every built-in gate answers synchronously from the
 * output alone. When all of an engine's gates are such gates, an evaluation passes one shared, never-aborted signal
 * instead of creating its own: Node builds an AbortSignal lazily, at a cost that shows in the default suite's p50
 * (docs/architecture.md, Libraries and hand-written paths). A custom gate always gets a real signal of its own.
 *
 * A marked gate is frozen, so that replacing its run with one that does watch the signal is refused rather than
 * silently never aborted.
 */
import type { Gate } from './types.js';

const SIGNAL_FREE = new WeakSet<Gate>();

/** Never aborted: nothing can reach its controller. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

export function markSignalFree<G extends Gate>(gate: G): G {
  SIGNAL_FREE.add(Object.freeze(gate));
  return gate;
}

export function isSignalFree(gate: Gate): boolean {
  return SIGNAL_FREE.has(gate);
}
