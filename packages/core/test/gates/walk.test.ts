import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collectStrings, walkStrings } from '../../src/gates/walk.js';

describe('walkStrings', () => {
  it('visits a bare string', () => {
    assert.deepEqual(collectStrings('hi'), ['hi']);
  });
  it('visits nested arrays, objects, keys, Maps and Sets in document order', () => {
    const value = { a: ['x', { b: 'y' }], m: new Map([['mk', 'mv']]), s: new Set(['sv']) };
    assert.deepEqual(collectStrings(value), ['a', 'x', 'b', 'y', 'm', 'mk', 'mv', 's', 'sv']);
  });
  it('can leave keys out', () => {
    assert.deepEqual(collectStrings({ k: 'v', n: { k2: 'v2' } }, { keys: false }), ['v', 'v2']);
  });
  it('skips non-string leaves unless numbers are asked for', () => {
    const value = [1, true, null, undefined, 2n, Number.NaN, 'z', new Date(0), /re/, new Uint8Array([65])];
    assert.deepEqual(collectStrings(value), ['z']);
    assert.deepEqual(collectStrings(value, { numbers: true }), ['1', '2', 'z']);
    assert.deepEqual(collectStrings(4155552671, { numbers: true }), ['4155552671']);
  });
  it('survives cycles', () => {
    const a: Record<string, unknown> = { t: 'once' };
    a.self = a;
    a.list = [a, a];
    assert.deepEqual(collectStrings(a, { keys: false }), ['once']);
  });
  it('survives nesting far deeper than the call stack allows', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    assert.deepEqual(collectStrings(deep), ['bottom']);
  });
  it('stops early when the visitor returns true', () => {
    const seen: string[] = [];
    const stopped = walkStrings(['a', 'b', 'c'], (s) => (seen.push(s), s === 'b'));
    assert.equal(stopped, true);
    assert.deepEqual(seen, ['a', 'b']);
  });
  it('visits the same string value once per occurrence', () => {
    assert.deepEqual(collectStrings(['dup', 'dup']), ['dup', 'dup']);
  });
});

describe('walkStrings on large containers', () => {
  it('visits a large array and a wide object in document order, keys before their values', () => {
    const items = Array.from({ length: 50_000 }, (_, i) => `s${i}`);
    assert.deepEqual(collectStrings(items), items);
    const wide = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, `v${i}`]));
    const expected = Object.entries(wide).flat();
    assert.deepEqual(collectStrings(wide), expected);
    assert.deepEqual(collectStrings(wide, { keys: false }), Object.values(wide));
  });
});
