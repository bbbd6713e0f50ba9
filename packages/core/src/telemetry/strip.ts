/**
 * The data boundary on the client side: an EvaluationResult becomes an ingest event built field by field from
 * scratch, so `input`, `output` and gate `details` can never ride along, whatever else the object carries.
 * Every field is also clamped to the ingest limits (docs/api.md, Endpoints): the server rejects a whole batch when one event is
 * invalid, so one odd result must not cost the 99 good ones travelling with it.
 */

import {
  MAX_FUTURE_SKEW_MS,
  MAX_GATES_PER_EVENT,
  MAX_ID_LENGTH,
  MAX_LATENCY_MS,
  MAX_REASON_LENGTH,
  truncate,
  type IngestEvent,
  type IngestGate,
} from '../wire/index.js';

export type { IngestEvent, IngestGate };

/**
 * An hour of margin under the server's limit covers a client clock that runs fast. A result dated further ahead is
 * sent without a timestamp (the server then uses its arrival time).
 */
export const MAX_FUTURE_TIMESTAMP_MS = MAX_FUTURE_SKEW_MS - 60 * 60 * 1000;

/** A latency inside 0–60000 ms, or undefined when the value is not a number at all (NaN included). */
export function clampLatency(value: unknown): number | undefined {
  if (typeof value !== 'number' || Number.isNaN(value)) return undefined;
  return Math.min(MAX_LATENCY_MS, Math.max(0, value));
}

/** An ISO 8601 UTC timestamp the server accepts, or undefined (the server then stamps the arrival time). */
export function toTimestamp(value: unknown, now: number): string | undefined {
  let ms: number;
  if (typeof value === 'string') ms = Date.parse(value);
  else if (typeof value === 'number') ms = value;
  else if (value instanceof Date) ms = value.getTime();
  else return undefined;
  if (!Number.isFinite(ms) || ms > now + MAX_FUTURE_TIMESTAMP_MS) return undefined;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString();
  // Years outside 0000–9999 serialise as ±YYYYYY, which the server's ISO 8601 parser does not take.
  return /^\d{4}-/.test(iso) ? iso : undefined;
}

function stripGate(value: unknown): IngestGate | null {
  if (typeof value !== 'object' || value === null) return null;
  const g = value as Record<string, unknown>;
  if (typeof g.name !== 'string' || g.name.length === 0) return null;
  const gate: IngestGate = { name: truncate(g.name, MAX_ID_LENGTH), passed: g.passed === true };
  const latency = clampLatency(g.latency_ms);
  if (latency !== undefined) gate.latency_ms = latency;
  if (typeof g.reason === 'string') gate.reason = truncate(g.reason, MAX_REASON_LENGTH);
  if (g.skipped === true) gate.skipped = true;
  if (g.aborted === true) gate.aborted = true;
  return gate;
}

/**
 * The ingest event for one evaluation result, or null when it cannot be one (not an object, no usable agent id).
 * Decisions for malformed input: gates that are not objects with a non-empty string name are left out; only the
 * first 50 gate entries are looked at; a missing overall verdict is derived as the server would (every gate passed
 * or skipped, and at least one gate); the event id is the result's `evaluation_id` when it fits, else `newId()`.
 * May throw only if reading the object throws (a hostile getter or proxy): the caller catches.
 */
export function toIngestEvent(result: unknown, now: number, newId: () => string): IngestEvent | null {
  if (typeof result !== 'object' || result === null) return null;
  const r = result as Record<string, unknown>;
  if (typeof r.agent_id !== 'string' || r.agent_id.length === 0) return null;

  const gates: IngestGate[] = [];
  if (Array.isArray(r.gates)) {
    const count = Math.min(r.gates.length, MAX_GATES_PER_EVENT);
    for (let i = 0; i < count; i++) {
      const gate = stripGate(r.gates[i]);
      if (gate) gates.push(gate);
    }
  }
  const passed =
    typeof r.passed === 'boolean' ? r.passed : gates.length > 0 && gates.every((g) => g.passed || g.skipped === true);

  const event: IngestEvent = { agent_id: truncate(r.agent_id, MAX_ID_LENGTH), passed, gates, event_id: '' };
  if (typeof r.tool === 'string') event.tool = truncate(r.tool, MAX_ID_LENGTH);
  const total = clampLatency(r.total_latency_ms);
  if (total !== undefined) event.total_latency_ms = total;
  const latency = clampLatency(r.latency_ms);
  if (latency !== undefined) event.latency_ms = latency;
  const timestamp = toTimestamp(r.created_at, now);
  if (timestamp !== undefined) event.timestamp = timestamp;
  const id = r.evaluation_id;
  event.event_id = typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH ? id : newId();
  return event;
}

/** UTF-8 length of a string as JSON.stringify produced it (so lone surrogates are already escaped). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
