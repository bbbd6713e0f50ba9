/** The little of JSON-RPC 2.0 the proxy needs to know: which messages are requests, which are responses, and ids. */
import type { EvaluationResult, GateResult } from '@pecta/core';

export type RequestId = string | number;

/** JSON-RPC error code of a blocked tool result (SPEC §3): "server error", implementation-defined range. */
export const BLOCKED_ERROR_CODE = -32000;

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

/** A response: no method, an id, and a `result` or an `error` member. */
export function responseOf(message: unknown): { id: RequestId; result?: unknown; error?: unknown } | null {
  if (!isObject(message) || 'method' in message || !isRequestId(message.id)) return null;
  if ('result' in message) return { id: message.id, result: message.result };
  if ('error' in message) return { id: message.id, error: message.error };
  return null;
}

/** Per-gate results as they may cross the data boundary: no `details`. */
export function publicGates(gates: readonly GateResult[]): GateResult[] {
  return gates.map((g) => {
    const out: GateResult = { name: g.name, passed: g.passed, latency_ms: g.latency_ms };
    if (g.reason !== undefined) out.reason = g.reason;
    if (g.skipped) out.skipped = true;
    if (g.aborted) out.aborted = true;
    return out;
  });
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

/** The JSON-RPC error that replaces a blocked tool result. Names gates and reasons only, never the payload. */
export function blockedResponse(id: RequestId, result: EvaluationResult): JsonObject {
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: BLOCKED_ERROR_CODE,
      message: `Pecta blocked this tool result: ${blockedSummary(result)}`,
      data: { evaluation_id: result.evaluation_id, gates: publicGates(result.gates) },
    },
  };
}
