/**
 * The first evaluation in a process pays for compiling the detectors: V8 compiles functions and regular expressions
 * lazily, on first use, and the refusal scorer alone takes tens of milliseconds that way, enough to spend an
 * in-process budget and fail a first request by timeout. Each built-in detector family therefore runs once over a
 * few examples (findings and clean text) when its first gate of a given configuration is built, so that cost is
 * paid at start-up instead.
 */
import type { Gate } from '../types.js';

const warmed = new Set<string>();
const never = new AbortController().signal;
const RUNS = 2;

/** `variant` names the family and the options that choose which of its code runs. */
export function warmUp<G extends Gate>(variant: string, gate: G, examples: readonly unknown[]): G {
  if (warmed.has(variant)) return gate;
  warmed.add(variant);
  for (let run = 0; run < RUNS; run++) {
    for (const output of examples) gate.run({ agent_id: 'warm-up', output }, never);
  }
  return gate;
}
