import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { z } from 'zod';
import { schema } from '../../src/gates/schema.js';
import { createEngine } from '../../src/engine.js';
import type { GateOutcome } from '../../src/types.js';

const signal = new AbortController().signal;
const run = (gate: ReturnType<typeof schema>, output: unknown, input?: unknown) =>
  gate.run({ agent_id: 'a', output, input }, signal) as GateOutcome;

const Order = z.object({ id: z.string(), items: z.array(z.object({ sku: z.string(), qty: z.number().int().positive() })) });

describe('schema gate', () => {
  it('passes a valid output and uses the default name', () => {
    const gate = schema(Order);
    assert.equal(gate.name, 'schema');
    assert.deepEqual(run(gate, { id: 'o1', items: [{ sku: 'a', qty: 2 }] }), { passed: true });
  });

  it('summarises the issue count and the first path and message', () => {
    const r = run(schema(Order), { id: 7, items: [{ sku: 'a', qty: -1 }, { sku: 3, qty: 'x' }] });
    assert.equal(r.passed, false);
    assert.match(r.reason!, /^output failed schema validation: 4 issues; first at id: /);
    const details = r.details as { issues: { path: string }[]; total: number };
    assert.equal(details.total, 4);
    assert.deepEqual(details.issues.map((i) => i.path), ['id', 'items.0.qty', 'items.1.sku', 'items.1.qty']);
  });

  it('keeps at most 5 issues in details but the real total', () => {
    const Wide = z.object(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}`, z.string()])));
    const r = run(schema(Wide), {});
    const details = r.details as { issues: unknown[]; total: number };
    assert.equal(details.issues.length, 5);
    assert.equal(details.total, 8);
    assert.match(r.reason!, /8 issues/);
  });

  it('says "1 issue" and "(root)" for a root-level problem', () => {
    const r = run(schema(z.string()), 42);
    assert.match(r.reason!, /: 1 issue; first at \(root\): /);
  });

  it('validates the input with target: "input"', () => {
    const gate = schema(z.object({ q: z.string() }), { target: 'input', name: 'input-shape' });
    assert.equal(gate.name, 'input-shape');
    assert.equal(run(gate, 'anything', { q: 'ok' }).passed, true);
    const r = run(gate, { q: 'ok' }, { q: 1 });
    assert.equal(r.passed, false);
    assert.match(r.reason!, /^input failed/);
  });

  it('never quotes payload keys from unrecognized-key issues', () => {
    const r = run(schema(z.object({ a: z.string() }).strict()), { a: 'x', 'alice@example.com': 1 });
    assert.equal(r.passed, false);
    assert.ok(!JSON.stringify(r).includes('alice@example.com'), JSON.stringify(r));
    assert.match(r.reason!, /1 unrecognized key/);
  });

  it('does not echo string values in its reason', () => {
    const r = run(schema(z.object({ n: z.number() })), { n: 'my secret 4111 1111 1111 1111' });
    assert.ok(!r.reason!.includes('secret'));
  });

  it('supports schemas with async refinements through the engine', async () => {
    const Async = z.string().refine(async (s) => s.startsWith('ok'), { message: 'must start with ok' });
    const engine = createEngine({ gates: [schema(Async)], timeout: 5000 });
    assert.equal((await engine.evaluate({ agent_id: 'a', output: 'ok then' })).passed, true);
    const bad = await engine.evaluate({ agent_id: 'a', output: 'nope' });
    assert.equal(bad.passed, false);
    assert.match(bad.gates[0]!.reason!, /must start with ok/);
  });

  it('takes any Standard Schema, not only zod, and keeps a foreign library\'s messages out of the reason', async () => {
    // A minimal Standard Schema from another vendor whose messages quote the value, as valibot's do.
    const positive: StandardSchemaV1<unknown, number> = {
      '~standard': {
        version: 1,
        vendor: 'other',
        validate: (value) =>
          typeof value === 'number' && value > 0
            ? { value }
            : { issues: [{ message: `Expected a positive number but received ${JSON.stringify(value)}`, path: [{ key: 'total' }, 0] }] },
      },
    };
    assert.deepEqual(run(schema(positive), 3), { passed: true });
    const r = run(schema(positive), 'my secret 4111');
    assert.equal(r.passed, false);
    assert.equal(r.reason, 'output failed schema validation: 1 issue; first at total.0');
    assert.equal((r.details as { issues: { path: string }[] }).issues[0]!.path, 'total.0');

    const later: StandardSchemaV1 = { '~standard': { version: 1, vendor: 'other', validate: async () => ({ issues: [{ message: 'no' }] }) } };
    const engine = createEngine({ gates: [schema(later)], timeout: 5000 });
    const bad = await engine.evaluate({ agent_id: 'a', output: 1 });
    assert.equal(bad.gates[0]!.reason, 'output failed schema validation: 1 issue; first at (root)');
  });

  it('rejects bad arguments at construction', () => {
    assert.throws(() => schema(undefined as never), /Standard Schema/);
    assert.throws(() => schema({} as never), /Standard Schema/);
    assert.throws(() => schema({ safeParse: () => ({ success: true }) } as never), /no ~standard\.validate/);
    assert.throws(() => schema(Order, { target: 'both' as never }), /target/);
    assert.throws(() => schema(Order, { name: '' }), /gate name/);
  });
});
