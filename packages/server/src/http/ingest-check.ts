/**
 * A hand-written acceptance check for POST /v1/ingest bodies, the hottest request there is: a 100-event batch is 400
 * objects, and zod's generic walk over them (it copies every object and checks every key of a strict object against
 * its shape) was a large share of the HTTP thread at full ingest load, GC of the copies a good part of the rest
 * (docs/benchmarks.md, Hot path, has both costs side by side).
 *
 * It only ever says yes or "ask zod": true means IngestBody (schemas.ts) accepts the body and returns it unchanged, so
 * the route can use the parsed JSON as is; false sends the body through zod, which then either accepts it after all or
 * produces the usual validation_error with its exact message. IngestBody stays the one definition of the format
 * (types, /openapi.json, error messages); this mirrors it, and test/http/ingest-check.test.ts holds the two together
 * by running both on thousands of generated valid and broken bodies.
 */
import { isWellFormedText, MAX_EVENTS_PER_BATCH, MAX_GATES_PER_EVENT, MAX_ID_LENGTH, MAX_LATENCY_MS, MAX_REASON_LENGTH } from '@pecta/core/wire';
import { parseIsoDateTime } from '../schemas.js';

/** True only for a body IngestBody accepts unchanged. */
export function isPlainValidIngestBody(body: unknown): boolean {
  if (!isObject(body)) return false;
  for (const key in body) if (key !== 'events') return false;
  const events = (body as { events?: unknown }).events;
  if (!Array.isArray(events) || events.length < 1 || events.length > MAX_EVENTS_PER_BATCH) return false;
  for (let i = 0; i < events.length; i++) if (!isEvent(events[i])) return false;
  return true;
}

function isEvent(value: unknown): boolean {
  if (!isObject(value)) return false;
  let hasAgent = false;
  let passedGiven = false;
  let gateCount = 0;
  for (const key in value) {
    const field = value[key];
    switch (key) {
      case 'agent_id':
        if (!isIdentifier(field, 1, MAX_ID_LENGTH)) return false;
        hasAgent = true;
        break;
      case 'tool':
        if (field !== undefined && !isIdentifier(field, 0, MAX_ID_LENGTH)) return false;
        break;
      case 'passed':
        if (field !== undefined && typeof field !== 'boolean') return false;
        passedGiven = field !== undefined;
        break;
      case 'gates':
        if (field === undefined) break;
        if (!Array.isArray(field) || field.length > MAX_GATES_PER_EVENT) return false;
        for (let g = 0; g < field.length; g++) if (!isGate(field[g])) return false;
        gateCount = field.length;
        break;
      case 'total_latency_ms':
      case 'latency_ms':
        if (field !== undefined && !isLatency(field)) return false;
        break;
      case 'timestamp':
        if (field !== undefined && !(isString(field, 0, 40) && parseIsoDateTime(field as string) !== null)) return false;
        break;
      case 'event_id':
        if (field !== undefined && !isIdentifier(field, 1, MAX_ID_LENGTH)) return false;
        break;
      default:
        return false;
    }
  }
  // The schema's refinement: a verdict, or gates to derive it from.
  return hasAgent && (passedGiven || gateCount > 0);
}

function isGate(value: unknown): boolean {
  if (!isObject(value)) return false;
  let hasName = false;
  let hasPassed = false;
  for (const key in value) {
    const field = value[key];
    switch (key) {
      case 'name':
        if (!isIdentifier(field, 1, MAX_ID_LENGTH)) return false;
        hasName = true;
        break;
      case 'passed':
        if (typeof field !== 'boolean') return false;
        hasPassed = true;
        break;
      case 'latency_ms':
        if (field !== undefined && !isLatency(field)) return false;
        break;
      case 'reason':
        if (field !== undefined && !isString(field, 0, MAX_REASON_LENGTH)) return false;
        break;
      case 'skipped':
      case 'aborted':
        if (field !== undefined && typeof field !== 'boolean') return false;
        break;
      default:
        return false;
    }
  }
  return hasName && hasPassed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown, min: number, max: number): boolean {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

function isIdentifier(value: unknown, min: number, max: number): boolean {
  return isString(value, min, max) && isWellFormedText(value as string);
}

/** NaN and ±Infinity (JSON's 1e999) fail both comparisons, as z.number() refuses them. */
function isLatency(value: unknown): boolean {
  return typeof value === 'number' && value >= 0 && value <= MAX_LATENCY_MS;
}
