import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RATE_LIMIT_WINDOW_MS, RollingWindowLimiter, type RateDecision } from '../../src/ratelimit/index.js';
import { propertyRuns } from '../helpers/property.js';

const W = RATE_LIMIT_WINDOW_MS;

/** Fills `key` with `count` allowed requests at time `at`, asserting each was allowed. */
function fill(limiter: RollingWindowLimiter, key: string, limit: number, count: number, at: number): void {
  for (let i = 0; i < count; i++) assert.equal(limiter.consumeSync(key, limit, at).allowed, true, `request ${i} at ${at}`);
}

describe('RollingWindowLimiter', () => {
  it('admits exactly `limit` requests per window, counting remaining down', async () => {
    const limiter = new RollingWindowLimiter();
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const decision = await limiter.consume('org', 5, 1000 + i);
      assert.equal(decision.allowed, true);
      assert.equal(decision.limit, 5);
      assert.equal(decision.retryAfterSeconds, 0);
      remaining.push(decision.remaining);
    }
    assert.deepEqual(remaining, [4, 3, 2, 1, 0]);
    const refused = await limiter.consume('org', 5, 1005);
    assert.deepEqual(refused, { allowed: false, limit: 5, remaining: 0, retryAfterSeconds: 60, resetMs: 59995 });
  });

  it('frees a slot exactly 60000 ms after the oldest request, not at 59999 ms', () => {
    const limiter = new RollingWindowLimiter();
    fill(limiter, 'org', 3, 1, 0);
    fill(limiter, 'org', 3, 2, 10_000);
    const early = limiter.consumeSync('org', 3, 59_999);
    assert.equal(early.allowed, false);
    assert.equal(early.retryAfterSeconds, 1);
    assert.equal(early.resetMs, 1);
    const onTime = limiter.consumeSync('org', 3, 60_000);
    assert.equal(onTime.allowed, true);
    assert.equal(onTime.remaining, 0);
  });

  it('slides instead of resetting at minute boundaries', () => {
    const limiter = new RollingWindowLimiter();
    fill(limiter, 'org', 200, 200, 59_000);
    // A fixed-minute counter would have reset at 60 s.
    const at61 = limiter.consumeSync('org', 200, 61_000);
    assert.equal(at61.allowed, false);
    assert.equal(at61.retryAfterSeconds, 58);
    const justBefore = limiter.consumeSync('org', 200, 118_999);
    assert.equal(justBefore.allowed, false);
    assert.equal(justBefore.retryAfterSeconds, 1);
    // At 119 s all 200 leave the window together: a full quota again, then refused.
    fill(limiter, 'org', 200, 200, 119_000);
    assert.equal(limiter.consumeSync('org', 200, 119_000).allowed, false);
  });

  it('admits one request per expired one in steady state', () => {
    const limiter = new RollingWindowLimiter();
    for (let t = 0; t < 50_000; t += 10_000) fill(limiter, 'org', 5, 1, t);
    const at50 = limiter.consumeSync('org', 5, 50_000);
    assert.equal(at50.allowed, false);
    assert.equal(at50.retryAfterSeconds, 10);
    assert.equal(limiter.consumeSync('org', 5, 60_000).allowed, true); // t=0 left
    const again = limiter.consumeSync('org', 5, 60_000);
    assert.equal(again.allowed, false); // t=10 s still counted
    assert.equal(again.retryAfterSeconds, 10);
    assert.equal(limiter.consumeSync('org', 5, 70_000).allowed, true);
  });

  it('rounds Retry-After up to whole seconds and never below 1', () => {
    const limiter = new RollingWindowLimiter();
    fill(limiter, 'org', 1, 1, 0);
    const cases: Array<[number, number]> = [
      [1, 60],
      [58_500, 2],
      [59_000, 1],
      [59_999.5, 1],
    ];
    for (const [now, seconds] of cases) {
      const decision = limiter.consumeSync('org', 1, now);
      assert.equal(decision.allowed, false);
      assert.equal(decision.retryAfterSeconds, seconds, `at ${now}`);
      assert.equal(decision.resetMs, W - now, `at ${now}`);
    }
  });

  it('does not count refused requests', () => {
    const limiter = new RollingWindowLimiter();
    fill(limiter, 'org', 2, 1, 0);
    fill(limiter, 'org', 2, 1, 30_000);
    for (let i = 0; i < 1000; i++) assert.equal(limiter.consumeSync('org', 2, 40_000 + i).allowed, false);
    assert.equal(limiter.consumeSync('org', 2, 60_000).allowed, true);
    const next = limiter.consumeSync('org', 2, 60_000);
    assert.equal(next.allowed, false);
    assert.equal(next.retryAfterSeconds, 30);
  });

  it('reports resetMs on allowed requests as the time until the oldest counted request leaves', () => {
    const limiter = new RollingWindowLimiter();
    assert.equal(limiter.consumeSync('org', 10, 5_000).resetMs, W);
    assert.equal(limiter.consumeSync('org', 10, 20_000).resetMs, 5_000 + W - 20_000);
  });

  it('keeps keys independent', () => {
    const limiter = new RollingWindowLimiter();
    fill(limiter, 'org_a:ingest', 3, 3, 0);
    assert.equal(limiter.consumeSync('org_a:ingest', 3, 1).allowed, false);
    const other = limiter.consumeSync('org_b:ingest', 3, 1);
    assert.equal(other.allowed, true);
    assert.equal(other.remaining, 2);
    assert.equal(limiter.consumeSync('org_a:other', 3, 1).remaining, 2);
  });

  it('applies a lowered limit to requests already in the window', () => {
    const limiter = new RollingWindowLimiter();
    for (let t = 0; t < 10_000; t += 1000) fill(limiter, 'org', 10, 1, t); // 10 requests, 0 s … 9 s
    const lowered = limiter.consumeSync('org', 5, 20_000);
    assert.equal(lowered.allowed, false);
    assert.equal(lowered.limit, 5);
    // Fewer than 5 in the window once the requests at 0 … 5 s have left, i.e. at 65 s.
    assert.equal(lowered.retryAfterSeconds, 45);
    assert.equal(limiter.consumeSync('org', 5, 64_999).allowed, false);
    const admitted = limiter.consumeSync('org', 5, 65_000);
    assert.equal(admitted.allowed, true);
    assert.equal(admitted.remaining, 0);
    assert.equal(limiter.consumeSync('org', 5, 65_000).allowed, false);
  });

  it('applies a raised limit immediately and stays exact when a limit goes down and back up', () => {
    const limiter = new RollingWindowLimiter();
    fill(limiter, 'org', 2, 2, 0);
    assert.equal(limiter.consumeSync('org', 2, 1000).allowed, false);
    assert.equal(limiter.consumeSync('org', 4, 1000).remaining, 1);
    assert.equal(limiter.consumeSync('org', 4, 1000).remaining, 0);
    assert.equal(limiter.consumeSync('org', 4, 1000).allowed, false);
    // Down to 1 and back to 4: the 4 requests in the window still count.
    assert.equal(limiter.consumeSync('org', 1, 2000).allowed, false);
    assert.equal(limiter.consumeSync('org', 4, 3000).allowed, false);
    // Growing well past the initial buffer keeps every timestamp.
    fill(limiter, 'org', 100, 96, 4000);
    const full = limiter.consumeSync('org', 100, 5000);
    assert.equal(full.allowed, false);
    assert.equal(full.retryAfterSeconds, 55); // the requests at 0 s leave at 60 s
  });

  it('gives back a lowered limit its exact quota after draining', () => {
    const limiter = new RollingWindowLimiter();
    fill(limiter, 'org', 50, 50, 0);
    // After the window has passed only the lowered limit applies: exactly 3, then refused.
    fill(limiter, 'org', 3, 3, W);
    const refused = limiter.consumeSync('org', 3, W + 1);
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterSeconds, 60);
    fill(limiter, 'org', 3, 1, 2 * W);
  });

  it('rejects limits that are not positive integers', async () => {
    const limiter = new RollingWindowLimiter();
    for (const limit of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number]) {
      await assert.rejects(limiter.consume('org', limit, 0), TypeError, `limit ${String(limit)}`);
      assert.throws(() => limiter.consumeSync('org', limit, 0), TypeError);
    }
    assert.equal(limiter.size, 0);
  });

  it('rejects a non-finite time and bad options', () => {
    const limiter = new RollingWindowLimiter();
    assert.throws(() => limiter.consumeSync('org', 1, Number.NaN), TypeError);
    assert.throws(() => new RollingWindowLimiter({ windowMs: 0 }), TypeError);
    assert.throws(() => new RollingWindowLimiter({ sweepIntervalMs: -1 }), TypeError);
  });

  it('uses the injected clock when no time is passed', async () => {
    let clock = 1_000_000;
    const limiter = new RollingWindowLimiter({ now: () => clock });
    await limiter.consume('org', 1);
    clock += W - 1;
    const refused = await limiter.consume('org', 1);
    assert.equal(refused.allowed, false);
    assert.equal(refused.resetMs, 1);
    clock += 1;
    assert.equal((await limiter.consume('org', 1)).allowed, true);
  });

  it('honours a custom window length', () => {
    const limiter = new RollingWindowLimiter({ windowMs: 1000 });
    fill(limiter, 'org', 2, 2, 0);
    const refused = limiter.consumeSync('org', 2, 999);
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterSeconds, 1);
    assert.equal(limiter.consumeSync('org', 2, 1000).allowed, true);
  });

  it('treats a small clock step backwards as no time passing, and a step of a whole window as a fresh start', () => {
    const limiter = new RollingWindowLimiter();
    fill(limiter, 'org', 1, 1, 100_000);
    const stepped = limiter.consumeSync('org', 1, 95_000);
    assert.equal(stepped.allowed, false);
    assert.equal(stepped.retryAfterSeconds, 60); // measured from 100 s, not from 95 s
    assert.equal(limiter.consumeSync('org', 1, 160_000).allowed, true);
    assert.equal(limiter.consumeSync('org', 1, 160_000 - W).allowed, true); // a full window back: forgotten
  });

  it('drops keys whose window is empty, once per sweep interval', () => {
    const limiter = new RollingWindowLimiter();
    for (let i = 0; i < 1000; i++) limiter.consumeSync(`org_${i}`, 10, 0);
    fill(limiter, 'active', 10, 1, 30_000);
    assert.equal(limiter.size, 1001);
    limiter.consumeSync('late', 10, W - 1); // before the sweep is due and before anything expired
    assert.equal(limiter.size, 1002);
    limiter.consumeSync('late', 10, W);
    assert.equal(limiter.size, 2); // 'active' (30 s is still inside) and 'late'
    // A dropped key starts over with its full quota, exactly as if it had been kept.
    assert.equal(limiter.consumeSync('org_0', 10, W).remaining, 9);
  });

  it('sweeps at the configured interval', () => {
    const sizes = [undefined, 5_000].map((sweepIntervalMs) => {
      const limiter = new RollingWindowLimiter(sweepIntervalMs === undefined ? {} : { sweepIntervalMs });
      limiter.consumeSync('x', 1, 0);
      limiter.consumeSync('w', 1, 5_000);
      limiter.consumeSync('y', 1, W); // both sweep here: 'x' goes
      limiter.consumeSync('z', 1, W + 5_001); // 'w' is idle now; only a 5 s interval sweeps again this soon
      return limiter.size;
    });
    assert.deepEqual(sizes, [3, 2]);
  });

  it('forgets everything on close', async () => {
    const limiter = new RollingWindowLimiter();
    fill(limiter, 'org', 1, 1, 0);
    await limiter.close();
    assert.equal(limiter.size, 0);
    assert.equal(limiter.consumeSync('org', 1, 1).allowed, true);
  });

  it('matches a brute-force sliding log on random traffic with changing limits', () => {
    // Mostly short steps of the clock (bursts that reach the limit), some long ones, and 1 ms and a window ±1 ms, so
    // that an entry turns exactly a window old between two sweeps; mostly small limits, now and then a large one.
    const step = fc.record({
      advanceMs: fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0, max: 200 }) },
        { weight: 3, arbitrary: fc.integer({ min: 0, max: 4000 }) },
        { weight: 2, arbitrary: fc.constantFrom(1, W - 1, W, W + 1) },
      ),
      key: fc.constantFrom('k0', 'k1', 'k2', 'k3'),
      limit: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 8 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }) }),
    });
    fc.assert(fc.property(fc.array(step, { maxLength: 600, size: 'max' }), matchesSlidingLog), propertyRuns(15));
  });

  function matchesSlidingLog(steps: Array<{ advanceMs: number; key: string; limit: number }>): void {
    const limiter = new RollingWindowLimiter();
    const allowedTimes = new Map<string, number[]>();
    let now = 0;
    for (const [i, { advanceMs, key, limit }] of steps.entries()) {
      now += advanceMs;
      const inWindow = (allowedTimes.get(key) ?? []).filter((t) => t > now - W);
      let expected: RateDecision;
      if (inWindow.length < limit) {
        inWindow.push(now);
        expected = { allowed: true, limit, remaining: limit - inWindow.length, retryAfterSeconds: 0, resetMs: inWindow[0]! + W - now };
      } else {
        // Smallest t' with fewer than `limit` of these timestamps in (t' − W, t'].
        let admitAt = now;
        while (inWindow.filter((t) => t > admitAt - W).length >= limit) admitAt = Math.min(...inWindow.filter((t) => t > admitAt - W)) + W;
        expected = { allowed: false, limit, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((admitAt - now) / 1000)), resetMs: admitAt - now };
      }
      allowedTimes.set(key, inWindow);
      assert.deepEqual(limiter.consumeSync(key, limit, now), expected, `step ${i}`);
    }
  }
});
