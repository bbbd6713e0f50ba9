/**
 * A batch of events as it travels from the HTTP thread to the writer thread: every text field of every event
 * concatenated into one string, and EVENT_WIDTH numbers per event in a Float64Array (each text field's length, or -1
 * for null; the numeric fields, NaN for null).
 *
 * postMessage copies this as one string and one buffer, where the previous layout (a flat array of 900 strings and
 * numbers per 100 events) had structured clone write and read every value on its own (docs/benchmarks.md, Hot path:
 * both, on the HTTP thread, the busier one at full ingest). The gates
 * arrive as the JSON that is stored, so the writer thread neither rebuilds nor re-serialises them.
 */
import type { NewEvent } from '../types.js';
import { storedGatesJson } from '../stored-gates.js';

export interface WireEvents {
  text: string;
  fields: Float64Array;
}

const EVENT_WIDTH = 9;
// Text fields, in the order they follow each other in `text`: their lengths.
const F_EVALUATION_ID = 0;
const F_EVENT_ID = 1;
const F_AGENT_ID = 2;
const F_TOOL_NAME = 3;
const F_GATES = 4;
// Numeric fields.
const F_PASSED = 5;
const F_TOTAL_LATENCY = 6;
const F_LATENCY = 7;
const F_CREATED_AT = 8;

const NULL_TEXT = -1;

/**
 * Throws a TypeError, before anything is queued, for a value of the wrong type: concatenated, an object would become
 * "[object Object]" where a bound parameter used to fail loudly in the writer. The message names the field only.
 */
export function encodeEvents(events: readonly NewEvent[]): WireEvents {
  const fields = new Float64Array(events.length * EVENT_WIDTH);
  let text = '';
  let at = 0;
  for (const event of events) {
    const gates = storedGatesJson(event.gates);
    const evaluationId = requiredText(event.evaluation_id, 'evaluation_id');
    const eventId = optionalText(event.event_id, 'event_id');
    const agentId = requiredText(event.agent_id, 'agent_id');
    const toolName = optionalText(event.tool_name, 'tool_name');
    text += evaluationId;
    fields[at + F_EVALUATION_ID] = evaluationId.length;
    if (eventId !== null) text += eventId;
    fields[at + F_EVENT_ID] = eventId === null ? NULL_TEXT : eventId.length;
    text += agentId;
    fields[at + F_AGENT_ID] = agentId.length;
    if (toolName !== null) text += toolName;
    fields[at + F_TOOL_NAME] = toolName === null ? NULL_TEXT : toolName.length;
    text += gates;
    fields[at + F_GATES] = gates.length;
    fields[at + F_PASSED] = event.passed ? 1 : 0;
    fields[at + F_TOTAL_LATENCY] = optionalNumber(event.total_latency_ms, 'total_latency_ms');
    fields[at + F_LATENCY] = optionalNumber(event.latency_ms, 'latency_ms');
    // NaN passes through and is refused by the column's NOT NULL, as before.
    fields[at + F_CREATED_AT] = optionalNumber(event.created_at, 'created_at');
    at += EVENT_WIDTH;
  }
  return { text, fields };
}

function requiredText(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new TypeError(`event ${field} must be a string`);
  return value;
}

function optionalText(value: unknown, field: string): string | null {
  return value === null || value === undefined ? null : requiredText(value, field);
}

function optionalNumber(value: unknown, field: string): number {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value !== 'number') throw new TypeError(`event ${field} must be a number`);
  return value;
}

export function wireEventCount(events: WireEvents): number {
  return events.fields.length / EVENT_WIDTH;
}

/** Walks a batch in order; after each next() that returned true, the fields hold that event's values. */
export class WireEventReader {
  evaluationId = '';
  eventId: string | null = null;
  agentId = '';
  toolName: string | null = null;
  gates = '';
  passed = false;
  totalLatencyMs: number | null = null;
  latencyMs: number | null = null;
  createdAt = 0;
  private at = -EVENT_WIDTH;
  private offset = 0;

  constructor(private readonly events: WireEvents) {}

  next(): boolean {
    const { fields } = this.events;
    this.at += EVENT_WIDTH;
    if (this.at >= fields.length) return false;
    this.evaluationId = this.take(fields[this.at + F_EVALUATION_ID]!)!;
    this.eventId = this.take(fields[this.at + F_EVENT_ID]!);
    this.agentId = this.take(fields[this.at + F_AGENT_ID]!)!;
    this.toolName = this.take(fields[this.at + F_TOOL_NAME]!);
    this.gates = this.take(fields[this.at + F_GATES]!)!;
    this.passed = fields[this.at + F_PASSED] === 1;
    this.totalLatencyMs = nullIfNaN(fields[this.at + F_TOTAL_LATENCY]!);
    this.latencyMs = nullIfNaN(fields[this.at + F_LATENCY]!);
    this.createdAt = fields[this.at + F_CREATED_AT]!;
    return true;
  }

  private take(length: number): string | null {
    if (length === NULL_TEXT) return null;
    const start = this.offset;
    this.offset += length;
    return this.events.text.slice(start, this.offset);
  }
}

function nullIfNaN(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}
