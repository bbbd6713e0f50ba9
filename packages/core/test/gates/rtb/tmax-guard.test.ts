import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTmaxGuard, tmaxGuard } from '../../../src/gates/rtb/tmax-guard.js';
import { rtb } from '../../../src/gates/rtb/index.js';
import type { Gate } from '../../../src/types.js';
import { runGate } from '../../fixtures/openrtb/context.js';
import { siteBannerRequest25 } from '../../fixtures/openrtb/requests.js';
import { malformedResponses } from '../../fixtures/openrtb/responses.js';

const at = (now: number, options?: Parameters<typeof tmaxGuard>[0]): Gate => createTmaxGuard(options, () => now);
const check = (gate: Gate, tmaxMs: unknown, startedAt: unknown) =>
  runGate(gate, undefined, undefined, { tmaxMs, startedAt } as never);

describe('rtb.tmaxGuard', () => {
  it('is exposed as rtb.tmaxGuard with the default name and accepts an override', () => {
    assert.equal(rtb.tmaxGuard, tmaxGuard);
    assert.equal(tmaxGuard().name, 'rtb.tmax-guard');
    assert.equal(tmaxGuard({ name: 'deadline' }).name, 'deadline');
  });

  it('passes while at least bufferMs (default 15) of tmax is left', () => {
    assert.deepEqual(check(at(1_080), 100, 1_000), { passed: true });
    // Exactly the buffer left is still enough: only "less than bufferMs" skips.
    assert.deepEqual(check(at(1_085), 100, 1_000), { passed: true });
  });

  it('returns skipped (passing) with the numbers when the deadline is closer than the buffer', () => {
    const outcome = check(at(1_086), 100, 1_000);
    assert.deepEqual(outcome, {
      passed: true,
      skipped: true,
      reason: 'auction deadline too close: 14 ms left, buffer 15 ms',
      details: { remainingMs: 14, bufferMs: 15, tmaxMs: 100, elapsedMs: 86 },
    });
  });

  it('rounds fractional remaining time down in the reason and keeps the exact value in details', () => {
    const outcome = check(at(1_090.25), 100, 1_000);
    assert.equal(outcome.reason, 'auction deadline too close: 9 ms left, buffer 15 ms');
    assert.equal((outcome.details as { remainingMs: number }).remainingMs, 9.75);
  });

  it('says the deadline already passed when no time is left', () => {
    const outcome = check(at(1_150), 100, 1_000);
    assert.equal(outcome.skipped, true);
    assert.equal(outcome.passed, true);
    assert.equal(outcome.reason, 'auction deadline already passed: 50 ms over, buffer 15 ms');
  });

  it('honours a custom bufferMs, including 0', () => {
    assert.equal(check(at(1_061), 100, 1_000).skipped, undefined);
    assert.equal(check(at(1_061, { bufferMs: 40 }), 100, 1_000).skipped, true);
    assert.equal(check(at(1_060, { bufferMs: 40 }), 100, 1_000).skipped, undefined);
    assert.deepEqual(check(at(1_100, { bufferMs: 0 }), 100, 1_000), { passed: true });
    assert.equal(check(at(1_101, { bufferMs: 0 }), 100, 1_000).skipped, true);
  });

  it('treats a startedAt in the future (clock skew) as no time elapsed', () => {
    assert.deepEqual(check(at(1_000), 100, 5_000), { passed: true });
    const tight = check(at(1_000), 10, 5_000);
    assert.equal(tight.reason, 'auction deadline too close: 10 ms left, buffer 15 ms');
  });

  it('passes without a skip when tmaxMs or startedAt is missing or not a finite number', () => {
    const gate = at(1_000_000);
    const bad: unknown[] = [undefined, null, '100', Number.NaN, Infinity, -Infinity, {}, [100], true];
    for (const value of bad) {
      assert.deepEqual(check(gate, value, 0), { passed: true }, `tmaxMs ${String(value)}`);
      assert.deepEqual(check(gate, 100, value), { passed: true }, `startedAt ${String(value)}`);
    }
  });

  it('uses the real clock when built through the public factory', () => {
    // Time only moves forward, so both verdicts are stable however slow the machine is.
    assert.equal(check(tmaxGuard(), 100, Date.now() - 10_000).skipped, true);
    assert.deepEqual(check(tmaxGuard(), 3_600_000, Date.now()), { passed: true });
  });

  it('ignores the payload entirely, hostile or not', () => {
    const gate = at(1_000);
    for (const output of malformedResponses()) {
      const outcome = runGate(gate, siteBannerRequest25(), output, { tmaxMs: 100, startedAt: 990 });
      assert.deepEqual(outcome, { passed: true });
    }
  });

  it('rejects bad options at construction', () => {
    for (const bufferMs of [-1, Number.NaN, Infinity, '15', null, {}]) {
      assert.throws(() => tmaxGuard({ bufferMs } as never), /bufferMs must be a finite number ≥ 0/, String(bufferMs));
    }
    assert.throws(() => tmaxGuard('fast' as never), /options must be an object/);
    assert.throws(() => tmaxGuard([] as never), /options must be an object/);
    assert.throws(() => tmaxGuard({ name: '' }), /gate name/);
    assert.throws(() => tmaxGuard({ name: 42 } as never), /gate name/);
  });
});
