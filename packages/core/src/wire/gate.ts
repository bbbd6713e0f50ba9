/**
 * A gate's verdict as it crosses the data boundary: the fields below and nothing else. `details` (which may hold
 * matched values) stays in the process that ran the gate; so do any other fields a custom gate adds.
 */

export interface WireGate {
  name: string;
  passed: boolean;
  latency_ms: number;
  reason?: string;
  skipped?: true;
  aborted?: true;
}

/** The fields a gate result may carry; everything else on it is ignored. */
export interface GateLike {
  name: string;
  passed: boolean;
  latency_ms?: number;
  reason?: string;
  skipped?: boolean;
  aborted?: boolean;
}

/** A new object built field by field, so nothing outside the boundary can ride along. */
export function toWireGate(gate: GateLike): WireGate {
  const out: WireGate = { name: gate.name, passed: gate.passed, latency_ms: gate.latency_ms ?? 0 };
  if (gate.reason !== undefined) out.reason = gate.reason;
  if (gate.skipped === true) out.skipped = true;
  if (gate.aborted === true) out.aborted = true;
  return out;
}
