/**
 * The rate-limiting contract (docs/api.md, Rate limits). Async so that a shared back end (Redis, for limits that hold across
 * instances) can implement it without touching callers; the in-memory implementation answers synchronously inside.
 */

/** The rolling window every limit is counted over. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/** Requests per rolling minute when an organisation has no override. */
export const DEFAULT_RATE_LIMITS = { ingest: 500, other: 200 } as const;

export interface RateDecision {
  allowed: boolean;
  /** The limit this decision was made against. */
  limit: number;
  /** Requests still admitted right now after this one (0 when refused). */
  remaining: number;
  /** Whole seconds until the window admits one more request: 0 when allowed, at least 1 when refused (Retry-After). */
  retryAfterSeconds: number;
  /**
   * Milliseconds until one more request becomes available: when refused, until a retry would be admitted; when
   * allowed, until the oldest counted request leaves the window (so `remaining` grows by one).
   */
  resetMs: number;
}

export interface RateLimiter {
  /**
   * Counts one request for `key` if fewer than `limit` requests were allowed in (now − window, now]. Refused requests
   * are not counted. `limit` must be a positive integer (TypeError otherwise); `now` (epoch ms) defaults to the
   * limiter's clock.
   */
  consume(key: string, limit: number, now?: number): Promise<RateDecision>;
  /** Releases resources (connections, timers, state). */
  close?(): Promise<void>;
}
