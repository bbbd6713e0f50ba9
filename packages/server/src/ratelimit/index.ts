export { DEFAULT_RATE_LIMITS, RATE_LIMIT_WINDOW_MS } from './types.js';
export type { RateDecision, RateLimiter } from './types.js';
export { RollingWindowLimiter } from './rolling-window.js';
export type { RollingWindowOptions } from './rolling-window.js';
export { RedisRollingWindowLimiter, RedisUnreachableError, redactRedisUrl } from './redis.js';
export type { RedisFallback, RedisLimiterLog, RedisLimiterOptions } from './redis.js';
