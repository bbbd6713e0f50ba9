import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isApiKey, isWellFormedText, KEY_LENGTH, keyTypeOf, MAX_REASON_LENGTH, toWireGate, truncate } from '../src/wire/index.js';

const BODY = 'Ab3x'.repeat(8);

describe('wire: the key format', () => {
  it('accepts both prefixes with exactly 32 letters and digits, and tells their type', () => {
    assert.equal(KEY_LENGTH, 40);
    assert.equal(keyTypeOf(`pk_live_${BODY}`), 'publishable');
    assert.equal(keyTypeOf(`sk_live_${BODY}`), 'secret');
    for (const bad of [`pk_live_${BODY}x`, `pk_live_${BODY.slice(1)}`, `pk_test_${BODY}`, `PK_LIVE_${BODY}`, ` pk_live_${BODY}`, `pk_live_${BODY.slice(1)}-`, `pk_live_${BODY.slice(1)}é`, '', 42, null]) {
      assert.equal(isApiKey(bad), false, String(bad));
      assert.equal(keyTypeOf(bad), null, String(bad));
    }
  });
});

describe('wire: the gate at the data boundary', () => {
  it('keeps the verdict fields only: details and anything else stay behind', () => {
    const gate = { name: 'pii', passed: false, latency_ms: 1.5, reason: 'email address detected in output', details: { match: 'a@b.c' }, extra: 'x' };
    const wire = toWireGate(gate);
    assert.deepEqual(wire, { name: 'pii', passed: false, latency_ms: 1.5, reason: 'email address detected in output' });
    assert.equal(JSON.stringify(wire).includes('a@b.c'), false);
  });
  it('writes skipped and aborted only when true, and a missing latency as 0', () => {
    assert.deepEqual(toWireGate({ name: 'a', passed: true, skipped: false, aborted: false }), { name: 'a', passed: true, latency_ms: 0 });
    assert.deepEqual(toWireGate({ name: 'a', passed: false, latency_ms: 2, skipped: true, aborted: true }), {
      name: 'a', passed: false, latency_ms: 2, skipped: true, aborted: true,
    });
  });
});

describe('wire: text', () => {
  it('cuts without splitting a surrogate pair', () => {
    assert.equal(truncate('abc', 5), 'abc');
    assert.equal(truncate('abcdef', 3), 'abc');
    assert.equal(truncate('ab😀', 3), 'ab', 'the high half alone is dropped');
    assert.equal(truncate('x'.repeat(MAX_REASON_LENGTH + 10), MAX_REASON_LENGTH).length, MAX_REASON_LENGTH);
  });
  it('tells lone surrogates from pairs', () => {
    assert.equal(isWellFormedText('agent 😀'), true);
    assert.equal(isWellFormedText('agent \ud800'), false);
    assert.equal(isWellFormedText('\udc00agent'), false);
  });
});
