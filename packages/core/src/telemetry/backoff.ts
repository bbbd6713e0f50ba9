/** When to try a batch again: exponential backoff with full jitter, floored by what the server asked for. */

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 30_000;
/**
 * The longest Retry-After honoured. Our server never asks for more than its 60 s window; a larger value (a proxy in
 * front, a misconfiguration) must not stall shutdown() for hours.
 */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Full jitter (a uniform draw between 0 and the exponential ceiling): many clients that failed together spread
 * out instead of retrying in lockstep. `attempt` counts from 0 for the first retry.
 */
export function backoffDelay(attempt: number, random: () => number, baseMs = BACKOFF_BASE_MS, capMs = BACKOFF_CAP_MS): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/**
 * Milliseconds a Retry-After header asks for: delta-seconds or an HTTP date (RFC 9110 §10.2.3), clamped to
 * 0–MAX_RETRY_AFTER_MS; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    // Date.parse takes almost anything ("-3" is year -3); an HTTP date always names a month.
    if (!/[A-Za-z]{3}/.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/** The wait before the next attempt: never shorter than the server's Retry-After when it sent one. */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, random: () => number): number {
  const jittered = backoffDelay(attempt, random);
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}
