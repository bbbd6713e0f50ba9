/**
 * Rate-limit decisions per second and per-decision latency: the in-memory limiter against the Redis limiter (one Lua
 * script per decision, Redis on loopback). Not a test: prints numbers for docs/benchmarks.md.
 *   npm run bench:ratelimit [-- --redis redis://127.0.0.1:6379]
 * Every caller decides for its own organisation key with a limit it never reaches, so every decision is an admission
 * (the path every accepted request takes) and the log of each key grows to the window's size.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisRollingWindowLimiter, RollingWindowLimiter, type RateLimiter } from '../packages/server/src/ratelimit/index.js';
import { machineReference, referenceLine } from './reference.js';

const flag = process.argv.indexOf('--redis');
const REDIS_URL = flag > 0 ? process.argv[flag + 1]! : process.env.PECTA_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const DECISIONS = 40_000;
const LIMIT = 10_000_000;

async function measure(limiter: RateLimiter, concurrency: number): Promise<{ perSecond: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      while (next < DECISIONS) {
        next++;
        const t = performance.now();
        const decision = await limiter.consume(`bench:org-${c % 50}:default`, LIMIT);
        latencies.push(performance.now() - t);
        if (!decision.allowed) throw new Error('refused: the benchmark measures admissions');
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / elapsed, p50: latencies[Math.floor(latencies.length * 0.5)]!, p99: latencies[Math.floor(latencies.length * 0.99)]! };
}

const prefix = `pecta-bench:${randomBytes(4).toString('hex')}:`;
const redis = new RedisRollingWindowLimiter({ url: REDIS_URL, keyPrefix: prefix, commandTimeoutMs: 1000 });
await redis.connect();
const memory = new RollingWindowLimiter();
console.log(`# bench:ratelimit — ${DECISIONS.toLocaleString('en-US')} admissions per row, 50 organisations, Redis at ${REDIS_URL}`);
console.log(`# ${referenceLine(await machineReference())}`);
console.log('\n| limiter | concurrent callers | decisions/s | p50 | p99 |');
console.log('|---|---|---|---|---|');
try {
  for (const concurrency of [1, 16, 64]) {
    for (const [label, limiter] of [
      ['in memory (one instance)', memory],
      ['Redis (shared by all instances)', redis],
    ] as const) {
      await measure(limiter, concurrency); // warm-up: keys filled, scripts loaded, JIT done
      const r = await measure(limiter, concurrency);
      console.log(`| ${label} | ${concurrency} | ${Math.round(r.perSecond).toLocaleString('en-US')} | ${(r.p50 * 1000).toFixed(0)} µs | ${(r.p99 * 1000).toFixed(0)} µs |`);
    }
  }
} finally {
  await redis.close();
  const client = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [nextCursor, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await client.del(...keys);
    cursor = nextCursor;
  } while (cursor !== '0');
  client.disconnect();
}
