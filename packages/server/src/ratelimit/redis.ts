/**
 * Rate limits shared by every instance (docs/api.md, Rate limits): the same exact sliding log as `RollingWindowLimiter`, kept in
 * a Redis sorted set per key and decided by one Lua script, so that a decision is atomic across instances and timed
 * by one clock (Redis's `TIME`), not by each instance's.
 *
 * When Redis errors or does not answer within `commandTimeoutMs`, decisions fall back to an in-process limiter
 * (`open`, per-instance limits) or are refused with 503 `unavailable` (`closed`); every decision tries Redis first, so
 * the limiter returns to it as soon as it answers again.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ApiError } from '../errors.js';
import { RedisConnection, type RedisStateLog } from '../redis/connection.js';
import { RollingWindowLimiter } from './rolling-window.js';
import { RATE_LIMIT_WINDOW_MS, type RateDecision, type RateLimiter } from './types.js';

export type RedisFallback = 'open' | 'closed';

export type RedisLimiterLog = RedisStateLog;
export { RedisUnreachableError, redactRedisUrl } from '../redis/connection.js';

export interface RedisLimiterOptions {
  url: string;
  /** Prefix of every key this limiter writes (tests use their own and delete it afterwards). */
  keyPrefix?: string;
  fallback?: RedisFallback;
  /** Bound on one decision's round trip: a request never waits longer than this for Redis. */
  commandTimeoutMs?: number;
  windowMs?: number;
  log?: RedisLimiterLog;
  /**
   * Tests only: use the `now` passed to `consume` instead of Redis's clock, so that decisions can be compared with the
   * in-memory limiter's on the same timestamps. Instances disagree on time, so production always uses Redis's.
   */
  trustCallerClock?: boolean;
}

export const DEFAULT_REDIS_KEY_PREFIX = 'pecta:';
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 100;

/**
 * KEYS[1] the key's log; ARGV: limit, window ms, a member unique across instances, and a caller clock or ''.
 * Mirrors RollingWindowLimiter.consumeSync: same expiry bound, same handling of a clock that stepped back, same
 * Retry-After for a limit lowered below what the window holds. Integer milliseconds, because Redis turns Lua numbers
 * in replies into integers by truncation.
 */
const CONSUME_SCRIPT = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now
if ARGV[4] ~= '' then
  now = tonumber(ARGV[4])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if newest[2] then
  local n = tonumber(newest[2])
  if now < n then
    if n - now >= window then redis.call('DEL', key) else now = n end
  end
end
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return {1, limit - count - 1, tonumber(oldest[2]) + window - now}
end
local entry = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
return {0, 0, tonumber(entry[2]) + window - now}
`;

type ConsumeReply = [number, number, number];

interface RedisWithConsume extends Redis {
  pectaConsume(key: string, limit: number, windowMs: number, member: string, now: string): Promise<ConsumeReply>;
}

export class RedisRollingWindowLimiter implements RateLimiter {
  readonly windowMs: number;
  readonly keyPrefix: string;
  readonly fallbackMode: RedisFallback;
  log: RedisLimiterLog | undefined;
  private readonly connection: RedisConnection;
  private readonly redis: RedisWithConsume;
  private readonly local: RollingWindowLimiter;
  private readonly trustCallerClock: boolean;
  private readonly instance = randomBytes(8).toString('hex');
  private sequence = 0;
  private degraded = false;
  private readonly displayUrl: string;

  constructor(options: RedisLimiterOptions) {
    this.windowMs = options.windowMs ?? RATE_LIMIT_WINDOW_MS;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX;
    this.fallbackMode = options.fallback ?? 'open';
    this.log = options.log;
    this.trustCallerClock = options.trustCallerClock ?? false;
    this.local = new RollingWindowLimiter({ windowMs: this.windowMs });
    // A decision that cannot reach Redis fails at once and falls back (see RedisConnection).
    this.connection = new RedisConnection(options.url, {
      commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    });
    this.displayUrl = this.connection.displayUrl;
    this.redis = this.connection.client as RedisWithConsume;
    this.redis.defineCommand('pectaConsume', { numberOfKeys: 1, lua: CONSUME_SCRIPT });
  }

  /** Connects and PINGs; rejects with RedisUnreachableError naming the (redacted) URL. Call before serving. */
  connect(): Promise<void> {
    return this.connection.connect(true);
  }

  /** Whether decisions are currently made without Redis. */
  get usingFallback(): boolean {
    return this.degraded;
  }

  async consume(key: string, limit: number, now?: number): Promise<RateDecision> {
    if (!Number.isInteger(limit) || limit <= 0) {
      throw new TypeError(`rate limit must be a positive integer, got ${String(limit)}`);
    }
    const callerClock = this.trustCallerClock && now !== undefined ? String(Math.floor(now)) : '';
    let reply: ConsumeReply;
    try {
      const member = `${this.instance}:${(this.sequence = (this.sequence + 1) % Number.MAX_SAFE_INTEGER)}`;
      reply = await this.redis.pectaConsume(this.keyPrefix + 'rl:' + key, limit, this.windowMs, member, callerClock);
    } catch (error) {
      return this.fallback(key, limit, error as Error);
    }
    if (this.degraded) {
      this.degraded = false;
      this.log?.info(`rate limits: Redis at ${this.displayUrl} answers again; limits hold across instances again`);
    }
    const [allowed, remaining, waitMs] = reply;
    return allowed === 1
      ? { allowed: true, limit, remaining, retryAfterSeconds: 0, resetMs: waitMs }
      : { allowed: false, limit, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), resetMs: waitMs };
  }

  private fallback(key: string, limit: number, error: Error): RateDecision {
    if (!this.degraded) {
      this.degraded = true;
      this.log?.warn(
        `rate limits: Redis at ${this.displayUrl} failed (${error.message}); ` +
          (this.fallbackMode === 'open'
            ? 'limiting per instance until it answers again'
            : 'refusing rate-limited requests with 503 until it answers again (--redis-fallback closed)'),
      );
    }
    if (this.fallbackMode === 'closed') {
      throw new ApiError('unavailable', 'rate limits cannot be checked right now; retry shortly', { 'Retry-After': '1' });
    }
    return this.local.consumeSync(key, limit);
  }

  async close(): Promise<void> {
    await this.local.close();
    await this.connection.close();
  }
}
