import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseStoredGates, storedGatesJson } from '../../src/store/sqlite/stored-gates.js';
import type { GateRecord } from '../../src/store/types.js';

describe('stored gates', () => {
  it('round-trips every combination of the stored fields', () => {
    const gates: GateRecord[] = [
      { name: 'filesystem', passed: true, latency_ms: 0.004 },
      { name: 'pii', passed: false, latency_ms: 0.011, reason: 'email address detected in output' },
      { name: 'schema', passed: true, latency_ms: 0, skipped: true },
      { name: 'slow', passed: false, latency_ms: 50, reason: 'timed out', aborted: true },
      { name: 'both', passed: true, latency_ms: 1.5, skipped: true, aborted: true },
      { name: 'quote "and" \\ | : ,', passed: true, latency_ms: 2, reason: '' },
    ];
    assert.deepEqual(parseStoredGates(storedGatesJson(gates)), gates);
    assert.equal(storedGatesJson([]), '[]');
    assert.equal(storedGatesJson(null), '[]');
  });

  it('writes one compact array per gate, trailing parts omitted', () => {
    assert.equal(
      storedGatesJson([
        { name: 'filesystem', passed: true, latency_ms: 0.004 },
        { name: 'pii', passed: false, latency_ms: 0.011, reason: 'email' },
        { name: 'x', passed: true, latency_ms: 1, skipped: true },
      ]),
      '[["filesystem",1,0.004],["pii",0,0.011,"email"],["x",1,1,null,1]]',
    );
  });

  it('keeps only the data boundary: no details, no structure under an allowed name', () => {
    const leaky = {
      name: 'pii',
      passed: false,
      latency_ms: 1,
      reason: { match: 'a@b.c' },
      details: { match: 'a@b.c' },
      output: 'secret',
    } as unknown as GateRecord;
    const json = storedGatesJson([leaky]);
    assert.ok(!json.includes('a@b.c') && !json.includes('secret'), json);
    assert.deepEqual(parseStoredGates(json), [{ name: 'pii', passed: false, latency_ms: 1 }]);
  });

  it('reads rows written as objects by earlier builds', () => {
    const old = '[{"name":"pii","passed":false,"latency_ms":0.011,"reason":"email address detected in output"},{"name":"content","passed":true,"latency_ms":0.006,"skipped":true}]';
    assert.deepEqual(parseStoredGates(old), [
      { name: 'pii', passed: false, latency_ms: 0.011, reason: 'email address detected in output' },
      { name: 'content', passed: true, latency_ms: 0.006, skipped: true },
    ]);
  });

  it('refuses a BigInt loudly instead of storing something else', () => {
    assert.throws(() => storedGatesJson([{ name: 'g', passed: true, latency_ms: 10n as unknown as number }]), /BigInt/);
  });
});
