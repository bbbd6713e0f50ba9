/** The little of JSON-RPC 2.0 the proxy needs to know: which messages are requests, which are responses, and ids. */
import type { EvaluationResult, GateResult } from '@pecta/core';
import { toWireGate, type WireGate } from '@pecta/core/wire';

export type RequestId = string | number;

/** JSON-RPC error code of a blocked tool result (docs/proxy.md): "server error", implementation-defined range. */
export const BLOCKED_ERROR_CODE = -32000;
/** The code the official SDKs give a request whose connection closed under it; the proxy closing it is no different. */
export const SESSION_ENDED_ERROR_CODE = -32000;

type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** A request (has a method and an id), as opposed to a notification (no id) or a response (no method). */
export function requestOf(message: unknown): { method: string; id: RequestId; params: unknown } | null {
  if (!isObject(message) || typeof message.method !== 'string' || !isRequestId(message.id)) return null;
  return { method: message.method, id: message.id, params: message.params };
}

export interface Response {
  id: RequestId;
  result?: unknown;
  error?: unknown;
}

/**
 * A response: an id and a `result` or an `error` member. A `method` member does not disqualify it: a lax client
 * (pydantic models that allow extra fields) may still read such a message as a response, so it must be gated as one.
 */
export function responseOf(message: unknown): Response | null {
  if (!isObject(message) || !isRequestId(message.id)) return null;
  const hasResult = 'result' in message;
  const hasError = 'error' in message;
  if (!hasResult && !hasError) return null;
  const response: Response = { id: message.id };
  if (hasResult) response.result = message.result;
  if (hasError) response.error = message.error;
  return response;
}

/**
 * The key a request id is matched under: two ids share a key whenever some MCP client would take a response carrying
 * one as the answer to a request carrying the other.
 *
 * - The TypeScript SDK looks its pending requests up by `Number(response.id)`: a string id is read as a JS number
 *   literal, surrounding whitespace (JS white space and line terminators) ignored, so `"1"`, `" 1 "`, `"1.0"`,
 *   `"0x1"`, `"1e0"` and `"+1"` all answer request 1, and `""` or `"  "` answer request 0.
 * - The Python SDK converts a string id with `int(...)`: Python white space around it, an optional sign, decimal
 *   digits of any script and `_` between digits (`"1_0"` answers request 10).
 *
 * Whatever either reads as a finite number gets that number's key, on both sides (a client's own string id `"1"`
 * included); every other string is matched exactly. Sharing a key more widely than one client would only means a
 * response is evaluated that this client would have ignored; never the other way round.
 */
export function idKey(id: RequestId): string {
  if (typeof id === 'number') return numberKey(id);
  const asJs = Number(id);
  if (Number.isFinite(asJs)) return numberKey(asJs);
  const asPython = pythonInt(id);
  return asPython === undefined ? `s:${id}` : numberKey(asPython);
}

/** Exactly the same id: same type, same value. */
export function sameId(a: RequestId, b: RequestId): boolean {
  return typeof a === typeof b && a === b;
}

function numberKey(n: number): string {
  // String(-0) is "0" already; the explicit check documents that -0 and 0 are one request (Map semantics too).
  return `n:${n === 0 ? 0 : n}`;
}

/** What int() strips around the digits: ASCII and Unicode white space, which is JS \s less the BOM, plus NEL. */
const PYTHON_INT = /^[\s\x85]*([+-]?)(\p{Nd}+(?:_\p{Nd}+)*)[\s\x85]*$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;

/** Python refuses to convert more digits than this (sys.int_info.default_max_str_digits). */
const PYTHON_MAX_DIGITS = 4300;

function pythonInt(text: string): number | undefined {
  const match = PYTHON_INT.exec(text);
  if (match === null) return undefined;
  let digits = '';
  for (const char of match[2]!) {
    if (char === '_') continue;
    if (digits.length === PYTHON_MAX_DIGITS) return undefined;
    digits += String(decimalValue(char.codePointAt(0)!));
  }
  const value = Number(match[1]! + digits);
  return Number.isFinite(value) ? value : undefined;
}

/** Digit values of the non-ASCII digits met so far: there are a few hundred, and a server controls how often. */
const digitValues = new Map<number, number>();

/**
 * Unicode assigns decimal digits in runs of ten, zero first, sometimes several runs back to back (the mathematical
 * digits): the value is the distance from the start of the run, modulo ten.
 */
function decimalValue(codePoint: number): number {
  if (codePoint >= 0x30 && codePoint <= 0x39) return codePoint - 0x30;
  const known = digitValues.get(codePoint);
  if (known !== undefined) return known;
  let start = codePoint;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  const value = (codePoint - start) % 10;
  digitValues.set(codePoint, value);
  return value;
}

/** Per-gate results as they may cross the data boundary: no `details`. */
export function publicGates(gates: readonly GateResult[]): WireGate[] {
  return gates.map(toWireGate);
}

/**
 * "pii (email address detected in output); filesystem (…)". Gates that were only cut short because another gate had
 * already failed (failFast) are left out: they did not find anything. If nothing else failed they are named.
 */
export function blockedSummary(result: EvaluationResult): string {
  const failed = result.gates.filter((g) => !g.passed);
  const decisive = failed.filter((g) => !g.aborted);
  const named = (decisive.length > 0 ? decisive : failed).map((g) => (g.reason ? `${g.name} (${g.reason})` : g.name));
  return named.length > 0 ? named.join('; ') : 'evaluation failed';
}

/**
 * The JSON-RPC error that replaces a blocked message (`what`: "tool result", "resource", …). Names gates and reasons
 * only, never the payload. `id` is the id as the server sent it, so that the client maps the error to the request it
 * would have mapped the response to.
 */
export function blockedResponse(id: RequestId, result: EvaluationResult, what = 'tool result'): JsonObject {
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: BLOCKED_ERROR_CODE,
      message: `Pecta blocked this ${what}: ${blockedSummary(result)}`,
      data: { evaluation_id: result.evaluation_id, gates: publicGates(result.gates) },
    },
  };
}

/** The answer to a request still waiting when the proxy ends the session because a line was too long. */
export function sessionEndedResponse(id: RequestId, side: 'client' | 'server', maxLineBytes: number): JsonObject {
  const who = side === 'server' ? 'the MCP server' : 'the client';
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: SESSION_ENDED_ERROR_CODE,
      message: `pecta-proxy ended the session: ${who} sent a line longer than ${maxLineBytes} bytes`,
      data: { reason: 'line_too_long', side, max_line_bytes: maxLineBytes },
    },
  };
}
