/**
 * How an event's gate results are stored in events.gates: JSON, one array per gate,
 *
 *   [name, passed (1|0), latency_ms, reason?, flags?]      flags: 1 = skipped, 2 = aborted; trailing parts omitted
 *
 * e.g. `[["filesystem",1,0.004],["pii",0,0.011,"email address detected in output"]]`. Against objects with named keys
 * this halves the row (a typical 3-gate event: 95 instead of 201 characters), so a group commit writes fewer pages,
 * and it serialises faster on the request's thread (docs/architecture.md).
 *
 * Only the fields of the data boundary are ever written, and only primitive values: a structure under an allowed name
 * (a caller's `reason: { match: … }`) is dropped, so no payload can ride along.
 */
import type { GateRecord } from './types.js';

const SKIPPED = 1;
const ABORTED = 2;

type StoredGate = [name: unknown, passed: 0 | 1, latency_ms: unknown, reason?: string | null, flags?: number];

/**
 * The JSON text is built by hand rather than with JSON.stringify over arrays, several times faster (docs/benchmarks.md,
 * Hot path), and this runs for every ingested event on the HTTP thread. The output is exactly what
 * JSON.stringify would write for the StoredGate arrays (test/store/stored-gates.test.ts compares the two).
 */
export function storedGatesJson(gates: readonly GateRecord[] | null | undefined): string {
  if (!gates || gates.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < gates.length; i++) {
    const gate = gates[i]!;
    if (i > 0) out += ',';
    out += '[' + primitiveJson(gate.name) + (gate.passed === true ? ',1,' : ',0,') + primitiveJson(gate.latency_ms);
    const flags = (gate.skipped === true ? SKIPPED : 0) | (gate.aborted === true ? ABORTED : 0);
    const reason = typeof gate.reason === 'string' ? gate.reason : null;
    if (reason !== null || flags !== 0) out += reason === null ? ',null' : ',' + stringJson(reason);
    if (flags !== 0) out += ',' + flags;
    out += ']';
  }
  return out + ']';
}

export function parseStoredGates(json: string): GateRecord[] {
  const stored = JSON.parse(json) as StoredGate[];
  return stored.map((gate) => {
    const record: GateRecord = { name: gate[0] as string, passed: gate[1] === 1, latency_ms: gate[2] as number };
    if (typeof gate[3] === 'string') record.reason = gate[3];
    const flags = gate[4] ?? 0;
    if (flags & SKIPPED) record.skipped = true;
    if (flags & ABORTED) record.aborted = true;
    return record;
  });
}

/** JSON.stringify escapes only these: quote, backslash, control characters and (unpaired) surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function stringJson(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"';
}

/** A primitive as JSON.stringify writes it in an array; a structure (or function, symbol) becomes null. */
function primitiveJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return stringJson(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      // Refused loudly, as JSON.stringify does, rather than stored as something else.
      return JSON.stringify(value);
    default:
      return 'null';
  }
}
