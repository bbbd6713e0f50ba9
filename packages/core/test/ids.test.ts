import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluationIdTime, newEvaluationId } from '../src/ids.js';

describe('evaluation ids', () => {
  it('encode their creation time', () => {
    const t = Date.UTC(2026, 10, 25, 12, 0, 0, 123);
    assert.equal(evaluationIdTime(newEvaluationId(t)), t);
  });
  it('sort by time across milliseconds and stay ordered within one millisecond', () => {
    const t = Date.UTC(2030, 0, 1);
    const ids = [newEvaluationId(t), newEvaluationId(t), newEvaluationId(t), newEvaluationId(t + 1), newEvaluationId(t + 1000)];
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });
  it('stay ordered when the clock steps backwards', () => {
    const a = newEvaluationId(Date.UTC(2031, 0, 1));
    const b = newEvaluationId(Date.UTC(2029, 0, 1));
    assert.ok(b > a);
  });
  it('rejects strings that are not ids', () => {
    assert.ok(Number.isNaN(evaluationIdTime('ev_short')));
    assert.ok(Number.isNaN(evaluationIdTime('xx_01J0000000000000000000000')));
  });
});
