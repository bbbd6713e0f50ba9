import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseStoredGates, storedGatesJson } from '../../src/store/stored-gates.js';
import type { GateRecord } from '../../src/store/types.js';
import { propertyRuns } from '../helpers/property.js';
import { anyText } from '../helpers/text.js';

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

  it('refuses a BigInt loudly instead of storing something else', () => {
    assert.throws(() => storedGatesJson([{ name: 'g', passed: true, latency_ms: 10n as unknown as number }]), /BigInt/);
  });

  it('writes exactly what JSON.stringify writes for the stored arrays, whatever the values', () => {
    // The layout by its definition: arrays of primitives, structures replaced by null.
    const primitive = (v: unknown) => (typeof v === 'object' || typeof v === 'function' || typeof v === 'symbol' ? null : v);
    const reference = (gates: GateRecord[]) =>
      gates.length === 0
        ? '[]'
        : JSON.stringify(
            gates.map((g) => {
              const flags = (g.skipped === true ? 1 : 0) | (g.aborted === true ? 2 : 0);
              const stored: unknown[] = [primitive(g.name), g.passed === true ? 1 : 0, primitive(g.latency_ms)];
              const reason = typeof g.reason === 'string' ? g.reason : null;
              if (reason !== null || flags !== 0) stored.push(reason);
              if (flags !== 0) stored.push(flags);
              return stored;
            }),
          );
    const texts = ['pii', '', 'say "hi"', 'back\\slash', 'tab\tnew\nline\u0000\u001f', '\u007f\u2028\u2029', 'emoji 😀', 'lone \ud800', 'lone \udfff end', 'ü é ñ', '</script>'];
    const values = [0, -0, 0.004, 1e21, 1e-7, 123456.789, -5, NaN, Infinity, -Infinity, undefined, null, true, false, '12', {}, [], [1], () => 1, Symbol('s')];
    const text = fc.oneof(fc.constantFrom(...texts), anyText({ maxLength: 12 }));
    const value = fc.oneof(fc.constantFrom(...values), fc.double(), fc.integer(), anyText({ maxLength: 4 }));
    const mostlyText = fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: value });
    const flag = fc.constantFrom(true, false, 1, 'yes');
    const gate = fc.record(
      {
        name: mostlyText,
        passed: fc.constantFrom(true, false, 1, 'true', undefined),
        latency_ms: value,
        reason: mostlyText,
        skipped: flag,
        aborted: flag,
      },
      { requiredKeys: ['name', 'passed', 'latency_ms'] },
    ) as fc.Arbitrary<unknown> as fc.Arbitrary<GateRecord>;
    fc.assert(
      fc.property(fc.array(gate, { maxLength: 4 }), (gates) => {
        assert.equal(storedGatesJson(gates), reference(gates));
      }),
      propertyRuns(600),
    );
  });
});
