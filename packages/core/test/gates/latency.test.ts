import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { latency } from '../../src/gates/latency.js';

const run = (gate: ReturnType<typeof latency>, latency_ms?: unknown) =>
  gate.run({ agent_id: 'a', output: 'x', latency_ms } as never, new AbortController().signal);

describe('latency gate', () => {
  it('has the default name and accepts an override', () => {
    assert.equal(latency({ maxMs: 100 }).name, 'latency');
    assert.equal(latency({ maxMs: 100, name: 'slow-agent' }).name, 'slow-agent');
  });
  it('passes at and under the limit, fails above it with a reason stating the numbers', () => {
    const gate = latency({ maxMs: 200 });
    assert.deepEqual(run(gate, 0), { passed: true });
    assert.deepEqual(run(gate, 200), { passed: true });
    const over = run(gate, 200.5) as { passed: boolean; reason: string };
    assert.equal(over.passed, false);
    assert.equal(over.reason, 'latency 200.5 ms exceeds limit of 200 ms');
  });
  it('is skipped (passing) when the context has no latency', () => {
    assert.deepEqual(run(latency({ maxMs: 1 })), { passed: true, skipped: true, reason: 'no latency_ms in context' });
  });
  it('fails a latency that is not a finite non-negative number', () => {
    const gate = latency({ maxMs: 100 });
    for (const bad of [Number.NaN, -1, Infinity, '50', {}]) {
      const r = run(gate, bad) as { passed: boolean; reason: string };
      assert.equal(r.passed, false, String(bad));
      assert.match(r.reason, /not a finite non-negative number/);
    }
  });
  it('rejects bad options at construction', () => {
    for (const maxMs of [0, -5, Number.NaN, Infinity, '100', undefined]) {
      assert.throws(() => latency({ maxMs } as never), /maxMs must be a positive finite number/, String(maxMs));
    }
    assert.throws(() => latency(undefined as never), /required/);
    assert.throws(() => latency({ maxMs: 10, name: '' }), /gate name/);
    assert.throws(() => latency('fast' as never), /options must be an object/);
  });
});
