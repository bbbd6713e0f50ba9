import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { ApiError } from '../../src/errors.js';
import { RollingWindowLimiter } from '../../src/ratelimit/rolling-window.js';
import { RedisRollingWindowLimiter, type RedisLimiterOptions } from '../../src/ratelimit/redis.js';
import { propertyRuns } from '../helpers/property.js';
import { dropPrefix, redisSuiteOptions, sparePort, startThrowawayRedis, stopRedis, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';

const suite = await redisSuiteOptions();

describe('RedisRollingWindowLimiter', suite, () => {
  const prefix = testPrefix();
  const limiters: RedisRollingWindowLimiter[] = [];
  const make = (options: Partial<RedisLimiterOptions> = {}): RedisRollingWindowLimiter => {
    const limiter = new RedisRollingWindowLimiter({ url: TEST_REDIS_URL, keyPrefix: prefix, ...options });
    limiters.push(limiter);
    return limiter;
  };
  let admin: Redis;

  before(() => {
    admin = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    await Promise.all(limiters.map((l) => l.close()));
    await dropPrefix(TEST_REDIS_URL, prefix);
    assert.equal((await admin.keys(`${prefix}*`)).length, 0);
    admin.disconnect();
  });

  it('decides exactly as the in-memory limiter on the same timestamps', async () => {
    const WINDOW_MS = 1000;
    const redis = make({ trustCallerClock: true, windowMs: WINDOW_MS });
    await redis.connect();
    // Mostly small steps of the clock, some of exactly a window and one millisecond either side, some steps back
    // (small and whole-window); small limits now and then, so that refusals come early.
    const step = fc.record({
      advanceMs: fc.oneof(
        { weight: 88, arbitrary: fc.integer({ min: 0, max: 39 }) },
        { weight: 5, arbitrary: fc.integer({ min: -299, max: 0 }) },
        { weight: 7, arbitrary: fc.constantFrom(WINDOW_MS - 1, WINDOW_MS, WINDOW_MS + 1, -WINDOW_MS, -1500) },
      ),
      key: fc.constantFrom('k0', 'k1', 'k2'),
      limit: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 12 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }),
    });
    let run = 0;
    let allowed = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 200, size: 'max' }), async (steps) => {
        // Keys of their own per run, so that no run (shrinking replays many) sees another's entries.
        const keyPrefix = `run${++run}:`;
        // The in-memory sweep forgets keys whose window emptied, which a later step back of the clock can tell apart
        // from Redis's lazy trimming; one sweep at time 0 and none after keeps the comparison about decisions.
        const memory = new RollingWindowLimiter({ windowMs: WINDOW_MS, sweepIntervalMs: 1e12 });
        await memory.consume('warm-up', 1, 0);
        let now = 1_000_000;
        for (const [i, { advanceMs, key, limit }] of steps.entries()) {
          now += advanceMs;
          const [got, want] = await Promise.all([redis.consume(keyPrefix + key, limit, now), memory.consume(keyPrefix + key, limit, now)]);
          assert.deepEqual(got, want, `step ${i}: ${key} limit ${limit} at ${now}`);
          if (want.allowed) allowed++;
          else refused++;
        }
      }),
      propertyRuns(10),
    );
    assert.ok(allowed > 50 && refused > 50, `both outcomes exercised (${allowed} allowed, ${refused} refused)`);
  });

  it('admits exactly L of many concurrent requests from 3 instances, and refuses the rest with the oldest entry\'s Retry-After', async () => {
    const instances = [make(), make(), make()];
    await Promise.all(instances.map((l) => l.connect()));
    const L = 25;
    const decisions = await Promise.all(Array.from({ length: 120 }, (_, i) => instances[i % 3]!.consume('shared', L)));
    const admitted = decisions.filter((d) => d.allowed);
    assert.equal(admitted.length, L);
    assert.deepEqual(admitted.map((d) => d.remaining).sort((a, b) => a - b), Array.from({ length: L }, (_, i) => i));
    const oldest = Number((await admin.zrange(`${prefix}rl:shared`, '0', '0', 'WITHSCORES'))[1]);
    const [sec, usec] = await admin.time();
    const nowMs = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    for (const d of decisions.filter((x) => !x.allowed)) {
      assert.equal(d.remaining, 0);
      assert.ok(d.retryAfterSeconds >= 1 && d.retryAfterSeconds <= 60, String(d.retryAfterSeconds));
      // Every refusal waits for the oldest admitted entry, measured when it was decided (before `nowMs`).
      assert.ok(d.resetMs >= oldest + 60_000 - nowMs && d.resetMs <= 60_000, `${d.resetMs} vs oldest ${oldest} now ${nowMs}`);
      assert.equal(d.retryAfterSeconds, Math.ceil(d.resetMs / 1000));
    }
    assert.equal(await admin.zcard(`${prefix}rl:shared`), L, 'refused requests are not recorded');
    const ttl = await admin.pttl(`${prefix}rl:shared`);
    assert.ok(ttl > 0 && ttl <= 60_000, `the log expires with its window (pttl ${ttl})`);
  });

  it('refuses the (L+1)th across instances with the exact Retry-After', async () => {
    const instances = [make({ trustCallerClock: true }), make({ trustCallerClock: true }), make({ trustCallerClock: true })];
    await Promise.all(instances.map((l) => l.connect()));
    const t0 = 5_000_000;
    for (let i = 0; i < 6; i++) assert.equal((await instances[i % 3]!.consume('exact', 6, t0 + i * 1000)).allowed, true);
    const refused = await instances[0]!.consume('exact', 6, t0 + 10_500);
    assert.deepEqual(refused, { allowed: false, limit: 6, remaining: 0, retryAfterSeconds: 50, resetMs: 49_500 });
    // The oldest leaves at t0 + 60 000 exactly: one more is admitted then and not before.
    assert.equal((await instances[1]!.consume('exact', 6, t0 + 59_999)).allowed, false);
    assert.equal((await instances[2]!.consume('exact', 6, t0 + 60_000)).allowed, true);
  });

  it('falls back to per-instance limits while Redis is down (open), logs each switch once, and returns to Redis', async () => {
    const port = await sparePort();
    const url = `redis://127.0.0.1:${port}`;
    let server = await startThrowawayRedis(port);
    const logs: string[] = [];
    const limiter = make({ url, log: { warn: (m) => logs.push(`warn ${m}`), info: (m) => logs.push(`info ${m}`) } });
    try {
      await limiter.connect();
      for (let i = 0; i < 3; i++) assert.equal((await limiter.consume('k', 3)).allowed, true);
      assert.equal((await limiter.consume('k', 3)).allowed, false);
      assert.equal(limiter.usingFallback, false);

      await stopRedis(server);
      // The in-process window starts empty: the instance admits its own L, then refuses, and never throws.
      const during = [];
      for (let i = 0; i < 5; i++) during.push(await limiter.consume('k', 3));
      assert.deepEqual(during.map((d) => d.allowed), [true, true, true, false, false]);
      assert.equal(limiter.usingFallback, true);
      assert.equal(logs.length, 1);
      assert.match(logs[0]!, new RegExp(`^warn rate limits: Redis at redis://127\\.0\\.0\\.1:${port} failed .*limiting per instance`));

      server = await startThrowawayRedis(port);
      const check = new Redis(url);
      try {
        let back = false;
        for (let attempt = 0; attempt < 400 && !back; attempt++) {
          await limiter.consume('other', 100);
          back = !limiter.usingFallback;
          if (!back) await new Promise((r) => setTimeout(r, 25));
        }
        assert.equal(back, true, 'the limiter went back to Redis');
        assert.equal(logs.length, 2);
        assert.match(logs[1]!, /^info rate limits: Redis at .* answers again/);
        // The restarted (empty) Redis holds the decisions again.
        assert.equal((await limiter.consume('k', 3)).remaining, 2);
        assert.equal(await check.zcard(`${prefix}rl:k`), 1);
      } finally {
        check.disconnect();
      }
    } finally {
      await limiter.close();
      await stopRedis(server);
    }
  });

  it('answers from the fallback when Redis hangs (the command timeout), and returns once it answers', async () => {
    const port = await sparePort();
    const server = await startThrowawayRedis(port);
    const limiter = make({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 50 });
    try {
      await limiter.connect();
      assert.equal((await limiter.consume('k', 2)).remaining, 1);
      // Stopped, not killed: the connection stays open and commands get no answer at all.
      server.kill('SIGSTOP');
      const during = [await limiter.consume('k', 2), await limiter.consume('k', 2), await limiter.consume('k', 2)];
      assert.deepEqual(during.map((d) => d.allowed), [true, true, false]);
      assert.equal(limiter.usingFallback, true);
      server.kill('SIGCONT');
      let back = false;
      for (let attempt = 0; attempt < 400 && !back; attempt++) {
        const d = await limiter.consume('k', 2);
        back = !limiter.usingFallback;
        if (back) assert.equal(d.allowed, false, 'Redis still holds the entry admitted before it hung');
        else await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(back, true);
    } finally {
      server.kill('SIGCONT');
      await limiter.close();
      await stopRedis(server);
    }
  });

  it('refuses with 503 unavailable and Retry-After while Redis is down (closed)', async () => {
    const port = await sparePort();
    const server = await startThrowawayRedis(port);
    const limiter = make({ url: `redis://127.0.0.1:${port}`, fallback: 'closed' });
    try {
      await limiter.connect();
      assert.equal((await limiter.consume('k', 3)).allowed, true);
      await stopRedis(server);
      for (let i = 0; i < 3; i++) {
        await assert.rejects(limiter.consume('k', 3), (error: unknown) => {
          assert.ok(error instanceof ApiError);
          assert.equal(error.status, 503);
          assert.equal(error.code, 'unavailable');
          assert.equal(error.headers['Retry-After'], '1');
          return true;
        });
      }
    } finally {
      await limiter.close();
      await stopRedis(server);
    }
  });

  it('connect() names the URL without its password when Redis cannot be reached', async () => {
    const port = await sparePort();
    const limiter = make({ url: `redis://pecta:hunter2@127.0.0.1:${port}` });
    await assert.rejects(limiter.connect(), (error: Error) => {
      assert.equal(error.name, 'RedisUnreachableError');
      assert.match(error.message, new RegExp(`cannot reach Redis at redis://pecta:\\*\\*\\*@127\\.0\\.0\\.1:${port} \\(connect ECONNREFUSED`));
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });
});
