/** The REST API as the dashboard uses it: typed calls, one error type, and sign-out when the key stops working. */
import type { components, paths } from './api-types.gen.js';
import { currentSession, signOut } from './session.js';

// The shapes come from the server's OpenAPI document (api-types.gen.ts), which is generated from the zod schemas that
// check every answer: a change there that the dashboard does not follow fails its type check.
type Schemas = components['schemas'];

export type GateVerdict = Schemas['GateVerdict'];
export type EvaluationEvent = Schemas['Event'];
export type EventsPage = paths['/v1/events']['get']['responses']['200']['content']['application/json'];
export type Reputation = Schemas['Reputation'];
export type AgentStatus = Reputation['status'];
export type AgentSummary = Schemas['AgentSummary'];
export type KeyInfo = Schemas['KeyInfo'];
export type CreatedKey = Schemas['CreatedKey'];
export type ErrorCode = Schemas['Error']['code'];

/** `status` 0 with code `network` means the server could not be reached at all. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    /** Seconds to wait before retrying, from Retry-After (429). */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

const SESSION_ENDING: Record<string, string> = {
  auth_revoked: 'Your key was revoked. Sign in with another key.',
  auth_invalid: 'This server does not know your key any more. Sign in with another key.',
  auth_format: 'Your key is not a valid Pecta key. Sign in again.',
  auth_missing: 'Your session has ended. Sign in again.',
};

const SIGN_IN_REFUSAL: Record<string, string> = {
  auth_revoked: 'This key has been revoked.',
  auth_invalid: 'This server does not know this key. Check that it belongs to this Pecta server.',
  auth_format: 'A key looks like pk_live_… or sk_live_… followed by 32 letters and digits.',
};

function describe(status: number, code: string, serverMessage: string, retryAfter: string | null): string {
  if (code === 'rate_limited') {
    return `Too many requests for this organisation. Try again in ${retryAfter ?? 'a few'} seconds.`;
  }
  if (code === 'forbidden') return 'This needs a secret (sk_live_…) key.';
  if (status >= 500) return `The server could not answer (HTTP ${status}). Try again in a moment.`;
  return serverMessage;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Sign-in checks a key that is not the session's yet: its refusal must not end the current session. */
  key?: string;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const session = currentSession();
  const key = options.key ?? session?.key;
  if (!key) throw new ApiError('Not signed in.', 'auth_missing', 401);
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
      cache: 'no-store',
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError('Cannot reach the Pecta server. Check that it is running, then retry.', 'network', 0);
  }

  const payload = await response.json().catch(() => undefined);
  if (response.ok && payload !== undefined) return payload as T;

  const body = (payload ?? {}) as { code?: unknown; error?: unknown };
  const code = typeof body.code === 'string' ? body.code : 'unexpected';
  const message = typeof body.error === 'string' ? body.error : `Unexpected answer from the server (HTTP ${response.status}).`;
  if (response.status === 401 && options.key === undefined && session && code in SESSION_ENDING) {
    // Only the key that is still signed in may end the session: a late answer to an old key must not.
    if (currentSession()?.key === session.key) signOut(SESSION_ENDING[code]!);
  }
  const text = options.key !== undefined && code in SIGN_IN_REFUSAL ? SIGN_IN_REFUSAL[code]! : describe(response.status, code, message, response.headers.get('retry-after'));
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new ApiError(text, code, response.status, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
}

const enc = encodeURIComponent;

export const api = {
  agents: (signal?: AbortSignal) => request<{ agents: AgentSummary[] }>('/v1/agents', { signal }),
  reputation: (agentId: string, signal?: AbortSignal) => request<Reputation>(`/v1/reputation/${enc(agentId)}`, { signal }),
  events(query: { limit: number; cursor?: string; agent_id?: string; passed?: boolean }, signal?: AbortSignal) {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.cursor !== undefined) params.set('cursor', query.cursor);
    if (query.agent_id) params.set('agent_id', query.agent_id);
    if (query.passed !== undefined) params.set('passed', String(query.passed));
    return request<EventsPage>(`/v1/events?${params}`, { signal });
  },
  keys: (signal?: AbortSignal) => request<{ keys: KeyInfo[] }>('/v1/keys', { signal }),
  createKey: (type: KeyInfo['type'], label: string | undefined) =>
    request<CreatedKey>('/v1/keys', { method: 'POST', body: label ? { type, label } : { type } }),
  revokeKey: (id: string) => request<KeyInfo>(`/v1/keys/${enc(id)}`, { method: 'DELETE' }),
  /** Checks a key before it becomes the session's. */
  checkKey: (key: string) => request<{ agents: AgentSummary[] }>('/v1/agents', { key }),
};

