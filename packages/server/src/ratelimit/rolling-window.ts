/**
 * In-memory rolling-window rate limiter: exact sliding log per key. Each key keeps the timestamps of its allowed
 * requests in a ring buffer (oldest at `head`), so admitting, expiring and answering are O(1) amortised with no array
 * shifting and no per-call allocation besides the returned decision. Only valid inside one process; a shared back end
 * implements the same `RateLimiter` interface for multi-instance deployments.
 */
import { RATE_LIMIT_WINDOW_MS, type RateDecision, type RateLimiter } from './types.js';

export interface RollingWindowOptions {
  /** Clock in milliseconds; defaults to a monotonic clock aligned with the epoch. */
  now?: () => number;
  windowMs?: number;
  /** How often keys whose window is empty are dropped; defaults to one window. */
  sweepIntervalMs?: number;
}

// Most keys never come near their limit, so buffers start small and double up to the limit.
const INITIAL_CAPACITY = 16;

// Wall-clock steps (NTP, manual changes) must not stretch or shrink windows, hence a monotonic default.
const monotonicNow = (): number => performance.timeOrigin + performance.now();

/** The allowed-request timestamps of one key, oldest first, in a ring of `times.length` slots. */
class KeyWindow {
  times: Float64Array;
  head = 0;
  count = 0;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
  }

  /** The i-th oldest counted timestamp (0 = oldest); i must be < count. */
  at(i: number): number {
    let index = this.head + i;
    if (index >= this.times.length) index -= this.times.length;
    return this.times[index]!;
  }

  newest(): number {
    return this.at(this.count - 1);
  }

  push(time: number): void {
    let index = this.head + this.count;
    if (index >= this.times.length) index -= this.times.length;
    this.times[index] = time;
    this.count++;
  }

  /** Forgets every timestamp at or before `cutoff` (they are outside (cutoff, now]). */
  expire(cutoff: number): void {
    const capacity = this.times.length;
    while (this.count > 0 && this.times[this.head]! <= cutoff) {
      if (++this.head === capacity) this.head = 0;
      this.count--;
    }
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  /** Re-lays the counted timestamps from slot 0 in a buffer of `capacity` slots (capacity >= count). */
  resize(capacity: number): void {
    const next = new Float64Array(capacity);
    for (let i = 0; i < this.count; i++) next[i] = this.at(i);
    this.times = next;
    this.head = 0;
  }
}

function assertPositiveFinite(value: number, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive finite number`);
  }
}

export class RollingWindowLimiter implements RateLimiter {
  readonly windowMs: number;
  private readonly clock: () => number;
  private readonly sweepIntervalMs: number;
  private readonly windows = new Map<string, KeyWindow>();
  private lastSweepAt = Number.NEGATIVE_INFINITY;
  private nextSweepAt = Number.NEGATIVE_INFINITY;

  constructor(options: RollingWindowOptions = {}) {
    this.clock = options.now ?? monotonicNow;
    this.windowMs = options.windowMs ?? RATE_LIMIT_WINDOW_MS;
    this.sweepIntervalMs = options.sweepIntervalMs ?? this.windowMs;
    assertPositiveFinite(this.windowMs, 'windowMs');
    assertPositiveFinite(this.sweepIntervalMs, 'sweepIntervalMs');
  }

  /** Number of keys currently holding state (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }

  async consume(key: string, limit: number, now?: number): Promise<RateDecision> {
    return this.consumeSync(key, limit, now);
  }

  /** `consume` without the promise, for callers that know they hold the in-memory limiter. */
  consumeSync(key: string, limit: number, now: number = this.clock()): RateDecision {
    if (!Number.isInteger(limit) || limit <= 0) {
      throw new TypeError(`rate limit must be a positive integer, got ${String(limit)}`);
    }
    if (typeof now !== 'number' || !Number.isFinite(now)) throw new TypeError('now must be a finite number');
    // A clock that stepped back also triggers a sweep, or a big forward jump would postpone sweeping indefinitely.
    if (now >= this.nextSweepAt || now < this.lastSweepAt) this.sweep(now);

    const windowMs = this.windowMs;
    let window = this.windows.get(key);
    if (window === undefined) {
      window = new KeyWindow(Math.min(limit, INITIAL_CAPACITY));
      this.windows.set(key, window);
    } else if (window.count > 0) {
      const newest = window.newest();
      if (now < newest) {
        // Time went backwards. A small step is treated as "no time passed" (keeps the log sorted); a step of a whole
        // window or more makes the log meaningless, and locking the key out until the clock catches up would be worse
        // than forgetting it.
        if (newest - now >= windowMs) window.clear();
        else now = newest;
      }
      window.expire(now - windowMs);
    }

    const count = window.count;
    if (count < limit) {
      const capacity = window.times.length;
      if (count === capacity) window.resize(Math.min(limit, capacity * 2));
      window.push(now);
      // After a lowered limit has drained, give back the slots only the old limit needed.
      if (capacity > limit) window.resize(limit);
      return {
        allowed: true,
        limit,
        remaining: limit - window.count,
        retryAfterSeconds: 0,
        resetMs: window.at(0) + windowMs - now,
      };
    }

    // Admission needs count < limit, i.e. the (count − limit + 1) oldest must expire; with count > limit this covers
    // a limit lowered below what the window already holds.
    const waitMs = window.at(count - limit) + windowMs - now;
    return {
      allowed: false,
      limit,
      remaining: 0,
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
      resetMs: waitMs,
    };
  }

  /** Drops every key whose window holds nothing at `now`: such a key's state cannot affect any future decision. */
  private sweep(now: number): void {
    const cutoff = now - this.windowMs;
    for (const [key, window] of this.windows) {
      if (window.count === 0 || window.newest() <= cutoff) this.windows.delete(key);
    }
    this.lastSweepAt = now;
    this.nextSweepAt = now + this.sweepIntervalMs;
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}
