// The refusal evaluation (eval/refusal.ts) reports the numbers quoted in the docs; its CSV reader and scoring must
// be right for those numbers to mean anything.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { csvObjects, parseCsv, score } from '../../../../eval/refusal.js';

describe('refusal eval: CSV reader', () => {
  it('reads quoted fields holding commas, line breaks and doubled quotes', () => {
    const csv = 'id,text,label\r\n1,"a, b",x\n2,"line one\nline two",y\r\n3,"she said ""no""",z\n4,,""\n';
    assert.deepEqual(parseCsv(csv), [
      ['id', 'text', 'label'],
      ['1', 'a, b', 'x'],
      ['2', 'line one\nline two', 'y'],
      ['3', 'she said "no"', 'z'],
      ['4', '', ''],
    ]);
  });

  it('keeps a last record without a trailing newline and strips a byte-order mark', () => {
    assert.deepEqual(parseCsv('\ufeffa,b\n1,2'), [
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('rejects a file that ends inside a quoted field', () => {
    assert.throws(() => parseCsv('a\n"open'), SyntaxError);
  });

  it('maps records to objects by header and rejects ragged rows', () => {
    assert.deepEqual(csvObjects('id,final_label\nv2-1,1_full_compliance\n'), [{ id: 'v2-1', final_label: '1_full_compliance' }]);
    assert.throws(() => csvObjects('a,b\n1\n'), /1 fields, header has 2/);
  });
});

describe('refusal eval: scores', () => {
  it('computes precision, recall and F1, and zero instead of NaN when undefined', () => {
    const s = score({ tp: 8, fp: 2, fn: 2, tn: 88 });
    assert.equal(s.precision, 0.8);
    assert.equal(s.recall, 0.8);
    assert.ok(Math.abs(s.f1 - 0.8) < 1e-12);
    assert.deepEqual(score({ tp: 0, fp: 0, fn: 0, tn: 5 }), { tp: 0, fp: 0, fn: 0, tn: 5, precision: 0, recall: 0, f1: 0 });
  });
});
