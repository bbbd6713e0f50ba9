/**
 * Minimal, defensive readers for OpenRTB 2.5 / 2.6 bid requests (`ctx.input`) and bid responses (`ctx.output`).
 *
 * The RTB gates judge the response; the request is context supplied by the caller. Shapes are never trusted:
 * every reader returns a tagged result instead of throwing, and only the handful of fields the gates need is read.
 *
 * Accepted forms, for both request and response:
 * - a plain object (the normal case);
 * - a JSON text whose first non-blank character is `{` (the raw HTTP body), parsed once per evaluation, at most
 *   {@link MAX_JSON_TEXT_LENGTH} characters;
 * - `undefined`, `null` or a blank string: absent. An absent response is a no-bid (HTTP 204 has no body), and so
 *   are `{}`, `{ "seatbid": [] }` and `{ "nbr": 2 }`.
 * Anything else (arrays, numbers, other strings, invalid JSON, `seatbid` that is not an array, a bid that is not an
 * object, …) is malformed, and the gates fail with a reason that says which part is malformed.
 */
import type { EvaluationContext, GateOutcome } from '../../types.js';

export type JsonObject = Record<string, unknown>;

/**
 * Real bid requests and responses are a few kilobytes; exchanges cap them far below this. The cap keeps a hostile
 * multi-megabyte text from stalling the synchronous gates.
 */
export const MAX_JSON_TEXT_LENGTH = 1_048_576;

/** How many offending bids a gate lists in `details.offenders`; counts always cover every bid. */
export const MAX_REPORTED_OFFENDERS = 10;

/** OpenRTB's default currency for `imp.bidfloorcur` and the response `cur`. */
export const DEFAULT_CURRENCY = 'USD';

/** OpenRTB 2.6 default for request/site/app/bid `cattax`: IAB Content Category Taxonomy 1.0. */
export const DEFAULT_CATTAX = 1;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding ctx.input / ctx.output

type Decoded = { kind: 'absent' } | { kind: 'object'; value: JsonObject } | { kind: 'malformed'; problem: string };

const ABSENT: Decoded = { kind: 'absent' };

/**
 * All RTB gates of one evaluation see the same context, so a JSON text is parsed once, not once per gate. Keyed by
 * the context object (weakly, so nothing outlives the evaluation) and checked against the text itself, so a context
 * that is reused with a different payload is decoded again.
 */
const decodedTexts = new WeakMap<object, { input?: [string, Decoded]; output?: [string, Decoded] }>();

function decodeField(ctx: EvaluationContext, field: 'input' | 'output'): Decoded {
  const value: unknown = ctx[field];
  if (typeof value !== 'string') return decodeValue(value);
  const cache = typeof ctx === 'object' && ctx !== null ? decodedTexts.get(ctx) : undefined;
  const hit = cache?.[field];
  if (hit !== undefined && hit[0] === value) return hit[1];
  const decoded = decodeText(value);
  if (typeof ctx === 'object' && ctx !== null) {
    const entry = cache ?? {};
    entry[field] = [value, decoded];
    if (cache === undefined) decodedTexts.set(ctx, entry);
  }
  return decoded;
}

function decodeValue(value: unknown): Decoded {
  if (value === undefined || value === null) return ABSENT;
  if (isObject(value)) return { kind: 'object', value };
  return { kind: 'malformed', problem: Array.isArray(value) ? 'is an array, not an object' : 'is not an object' };
}

function decodeText(text: string): Decoded {
  const start = firstNonBlank(text);
  if (start === -1) return ABSENT;
  if (text.charCodeAt(start) !== 0x7b /* { */) return { kind: 'malformed', problem: 'is a string that is not a JSON object' };
  if (text.length > MAX_JSON_TEXT_LENGTH) return { kind: 'malformed', problem: 'is a JSON text too large to parse' };
  let parsed: unknown;
  try {
    // JSON.parse skips blanks itself but not a byte-order mark, which some HTTP stacks leave in the body.
    parsed = JSON.parse(start === 0 ? text : text.slice(start));
  } catch {
    return { kind: 'malformed', problem: 'is not valid JSON' };
  }
  return decodeValue(parsed);
}

function firstNonBlank(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0xfeff) return i;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------------------
// The response: every bid of every seat

/** One bid and where it sits in the response; positions (not ids) are what reasons and details may mention. */
export interface BidRef {
  seat: number;
  index: number;
  bid: JsonObject;
}

export type BidsRead =
  | { kind: 'bids'; bids: BidRef[]; response: JsonObject }
  | { kind: 'none' }
  | { kind: 'malformed'; problem: string };

export function readBids(ctx: EvaluationContext): BidsRead {
  const decoded = decodeField(ctx, 'output');
  if (decoded.kind === 'absent') return { kind: 'none' };
  if (decoded.kind === 'malformed') return { kind: 'malformed', problem: `response ${decoded.problem}` };
  const response = decoded.value;
  const seatbids = response['seatbid'];
  if (seatbids === undefined || seatbids === null) return { kind: 'none' };
  if (!Array.isArray(seatbids)) return { kind: 'malformed', problem: 'response seatbid is not an array' };
  const bids: BidRef[] = [];
  for (let seat = 0; seat < seatbids.length; seat++) {
    const seatbid: unknown = seatbids[seat];
    if (!isObject(seatbid)) return { kind: 'malformed', problem: 'response seatbid entry is not an object' };
    const list = seatbid['bid'];
    // A seat without bids is tolerated: it contributes nothing, exactly like an empty seatbid array.
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) return { kind: 'malformed', problem: 'response seatbid bid is not an array' };
    for (let index = 0; index < list.length; index++) {
      const bid: unknown = list[index];
      if (!isObject(bid)) return { kind: 'malformed', problem: 'response bid is not an object' };
      bids.push({ seat, index, bid });
    }
  }
  return bids.length === 0 ? { kind: 'none' } : { kind: 'bids', bids, response };
}

// ---------------------------------------------------------------------------------------------------------------
// The request

export type RequestRead = { kind: 'absent' } | { kind: 'ok'; request: JsonObject } | { kind: 'malformed'; problem: string };

export function readRequest(ctx: EvaluationContext): RequestRead {
  const decoded = decodeField(ctx, 'input');
  if (decoded.kind === 'absent') return { kind: 'absent' };
  if (decoded.kind === 'malformed') return { kind: 'malformed', problem: `request ${decoded.problem}` };
  return { kind: 'ok', request: decoded.value };
}

/**
 * The opening every gate that judges bids against their request shares: a malformed response fails, no bids skips
 * (NO_BIDS), no request skips with `noRequest`, a malformed request fails. Otherwise both, ready to judge.
 */
export function readBidsWithRequest(
  ctx: EvaluationContext,
  noRequest: string,
): { done: GateOutcome } | { done: null; bids: BidRef[]; response: JsonObject; request: JsonObject } {
  const read = readBids(ctx);
  if (read.kind === 'malformed') return { done: malformedOutcome(read.problem) };
  if (read.kind === 'none') return { done: NO_BIDS };
  const request = readRequest(ctx);
  if (request.kind === 'absent') return { done: skipped(noRequest) };
  if (request.kind === 'malformed') return { done: malformedOutcome(request.problem) };
  return { done: null, bids: read.bids, response: read.response, request: request.request };
}

export type ImpsRead = { kind: 'ok'; imps: JsonObject[] } | { kind: 'malformed'; problem: string };

/** The request's impressions; an absent `imp` reads as none. */
export function readImps(request: JsonObject): ImpsRead {
  const imps = request['imp'];
  if (imps === undefined || imps === null) return { kind: 'ok', imps: [] };
  if (!Array.isArray(imps)) return { kind: 'malformed', problem: 'request imp is not an array' };
  for (const imp of imps) {
    if (!isObject(imp)) return { kind: 'malformed', problem: 'request imp entry is not an object' };
  }
  return { kind: 'ok', imps: imps as JsonObject[] };
}

/** Impressions by id. Entries without a non-empty string id cannot be bid on, so they are left out. */
export function impsById(imps: readonly JsonObject[]): Map<string, JsonObject> {
  const byId = new Map<string, JsonObject>();
  for (const imp of imps) {
    const id = imp['id'];
    if (typeof id === 'string' && id !== '' && !byId.has(id)) byId.set(id, imp);
  }
  return byId;
}

/** The bid's impid when it is a non-empty string (the only form OpenRTB allows). */
export function bidImpid(bid: JsonObject): string | undefined {
  const impid = bid['impid'];
  return typeof impid === 'string' && impid !== '' ? impid : undefined;
}

export function objectField(parent: JsonObject, key: string): JsonObject | undefined {
  const value = parent[key];
  return isObject(value) ? value : undefined;
}

/** The taxonomy a `cattax` field names, with OpenRTB's default when absent; `undefined` when it is not an integer. */
export function cattaxOf(holder: JsonObject): number | undefined {
  const value = holder['cattax'];
  if (value === undefined || value === null) return DEFAULT_CATTAX;
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** An ISO-4217 code, upper-cased and trimmed, with the OpenRTB default when absent; `undefined` when unusable. */
export function currencyOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return DEFAULT_CURRENCY;
  if (typeof value !== 'string' || value.length > 16) return undefined;
  const code = value.trim().toUpperCase();
  return code === '' ? DEFAULT_CURRENCY : code;
}

// ---------------------------------------------------------------------------------------------------------------
// Content categories

/** Category codes are compared trimmed and upper-cased: `" iab25-3 "` is `IAB25-3`. */
export function normalizeCategory(code: string): string {
  return code.trim().toUpperCase();
}

/**
 * Normalized category codes of an array field. `undefined` when the field is absent; `null` when it is present but
 * not an array (a malformed bid). Non-string entries are ignored: they cannot name a category.
 */
export function categoriesOf(holder: JsonObject, key: string): string[] | undefined | null {
  const value = holder[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return null;
  const codes: string[] = [];
  for (const entry of value) {
    if (typeof entry === 'string') codes.push(normalizeCategory(entry));
  }
  return codes;
}

/**
 * The entry of `listed` that covers `code`: the code itself or, for hierarchical codes such as IAB 1.0's
 * `IAB25-3`, its parent `IAB25` (blocking a tier-1 category blocks all of its sub-categories). A listed
 * sub-category never covers its parent: a bid that only declares `IAB25` has not declared `IAB25-3`.
 * Both sides must already be normalized.
 */
export function coveringCategory(code: string, listed: ReadonlySet<string>): string | undefined {
  if (listed.has(code)) return code;
  const dash = code.indexOf('-');
  if (dash > 0) {
    const parent = code.slice(0, dash);
    if (listed.has(parent)) return parent;
  }
  return undefined;
}

/** How many matched category codes one offender lists in `details`. */
export const MAX_REPORTED_CATEGORIES = 10;

/**
 * The listed codes (each once, at most {@link MAX_REPORTED_CATEGORIES}) that cover any of `codes`; empty when none
 * does. Linear in `codes`.
 */
export function coveredCategories(codes: readonly string[], listed: ReadonlySet<string>): string[] {
  const hits = new Set<string>();
  for (const code of codes) {
    const hit = coveringCategory(code, listed);
    if (hit !== undefined) {
      hits.add(hit);
      if (hits.size === MAX_REPORTED_CATEGORIES) break;
    }
  }
  return [...hits];
}

// ---------------------------------------------------------------------------------------------------------------
// Outcomes

/** The outcome when the response itself cannot be read: the gate fails and says which part is malformed. */
export function malformedOutcome(problem: string): GateOutcome {
  return { passed: false, reason: problem, details: { malformed: problem } };
}

export const NO_BIDS: GateOutcome = Object.freeze({ passed: true, skipped: true, reason: 'no bids in response' });

export function skipped(reason: string, details?: unknown): GateOutcome {
  return details === undefined ? { passed: true, skipped: true, reason } : { passed: true, skipped: true, reason, details };
}

export interface Offender {
  seat: number;
  bid: number;
  problem: string;
  categories?: string[];
}

/**
 * Collects problems per bid and turns them into one outcome. Each problem kind counts a bid at most once, so the
 * reason reads "<what is wrong> (<n> of <total> bids)" per kind, in the order the kinds were first seen.
 */
export class BidFindings {
  private readonly counts = new Map<string, number>();
  private readonly lastBid = new Map<string, BidRef>();
  private readonly failing = new Set<BidRef>();
  private readonly offenders: Offender[] = [];

  constructor(private readonly total: number) {}

  add(ref: BidRef, problem: string, categories?: string[]): void {
    if (this.lastBid.get(problem) === ref) return;
    this.lastBid.set(problem, ref);
    this.counts.set(problem, (this.counts.get(problem) ?? 0) + 1);
    this.failing.add(ref);
    if (this.offenders.length < MAX_REPORTED_OFFENDERS) {
      const offender: Offender = { seat: ref.seat, bid: ref.index, problem };
      if (categories !== undefined) offender.categories = categories;
      this.offenders.push(offender);
    }
  }

  get empty(): boolean {
    return this.counts.size === 0;
  }

  /** `messages` maps each problem kind to the sentence that opens its part of the reason. */
  outcome(messages: Readonly<Record<string, string>>, extraDetails?: JsonObject): GateOutcome {
    if (this.empty) return extraDetails === undefined ? { passed: true } : { passed: true, details: extraDetails };
    const parts: string[] = [];
    const problems: Record<string, number> = {};
    for (const [problem, count] of this.counts) {
      problems[problem] = count;
      parts.push(`${messages[problem] ?? problem} (${count} of ${this.total} ${this.total === 1 ? 'bid' : 'bids'})`);
    }
    return {
      passed: false,
      reason: parts.join('; '),
      details: { bids: this.total, failedBids: this.failing.size, problems, offenders: this.offenders, ...extraDetails },
    };
  }
}

/**
 * Runs a gate body so that nothing a hostile payload can do (a throwing getter, a revoked Proxy) escapes as an
 * exception: the gate fails closed with a reason that names no payload.
 */
export function failClosed(body: (ctx: EvaluationContext) => GateOutcome): (ctx: EvaluationContext) => GateOutcome {
  return (ctx) => {
    try {
      return body(ctx);
    } catch {
      return { passed: false, reason: 'OpenRTB payload could not be read' };
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Option validation shared by the factories

/** An array of non-empty strings, each passed through `normalize`; throws a TypeError naming `label` otherwise. */
export function stringListOption(
  value: unknown,
  label: string,
  normalize: (entry: string) => string,
  isValid: (normalized: string) => boolean = (entry) => entry !== '',
): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError(`${label} must be an array of strings`);
  return value.map((entry: unknown, index: number) => {
    if (typeof entry !== 'string') throw new TypeError(`${label} must be an array of strings`);
    const normalized = normalize(entry);
    if (!isValid(normalized)) throw new TypeError(`${label}[${index}] is not a valid entry`);
    return normalized;
  });
}
