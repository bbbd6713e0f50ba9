import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, REASON_ABORTED, REASON_TIMEOUT } from '../src/engine.js';
import { defaultGates, gates as builtIn } from '../src/gates/index.js';
import { isSignalFree } from '../src/signal-free.js';
import type { Gate, GateOutcome } from '../src/types.js';

const ctx = { agent_id: 'agent-1', tool: 'search', output: 'hello' };

function syncGate(name: string, outcome: GateOutcome): Gate {
  return { name, run: () => outcome };
}

/** Resolves after `ms`, or rejects as soon as the signal aborts (a well-behaved async gate). */
function delayedGate(name: string, ms: number, outcome: GateOutcome, log?: string[]): Gate {
  return {
    name,
    run: (_ctx, signal) =>
      new Promise<GateOutcome>((resolve, reject) => {
        const t = setTimeout(() => resolve(outcome), ms);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          log?.push(`${name} saw abort`);
          reject(new Error('aborted'));
        });
      }),
  };
}

/** Ignores the abort signal entirely (a badly behaved gate). */
function stubbornGate(name: string, ms: number, outcome: GateOutcome): Gate {
  return { name, run: () => new Promise((resolve) => setTimeout(() => resolve(outcome), ms)) };
}

describe('createEngine validation', () => {
  it('throws on a duplicate gate name at construction', () => {
    assert.throws(() => createEngine({ gates: [syncGate('a', { passed: true }), syncGate('a', { passed: true })] }), /duplicate gate name "a"/);
  });
  it('throws on a nameless, blank or non-string-named gate', () => {
    assert.throws(() => createEngine({ gates: [{ run: () => ({ passed: true }) } as unknown as Gate] }), /non-empty name/);
    assert.throws(() => createEngine({ gates: [syncGate('', { passed: true })] }), /non-empty name/);
    assert.throws(() => createEngine({ gates: [syncGate('   ', { passed: true })] }), /non-empty name/);
    assert.throws(() => createEngine({ gates: [{ name: 42, run: () => ({ passed: true }) } as unknown as Gate] }), /non-empty name/);
  });
  it('throws on a gate without run, a non-object gate, or a name over 200 characters', () => {
    assert.throws(() => createEngine({ gates: [{ name: 'x' } as unknown as Gate] }), /needs a run function/);
    assert.throws(() => createEngine({ gates: [null as unknown as Gate] }), /not an object/);
    assert.throws(() => createEngine({ gates: [syncGate('n'.repeat(201), { passed: true })] }), /longer than 200/);
  });
  it('throws on bad engine options', () => {
    assert.throws(() => createEngine({ gates: 'x' as unknown as Gate[] }), /gates must be an array/);
    assert.throws(() => createEngine({ gates: [], timeout: 0 }), /timeout/);
    assert.throws(() => createEngine({ gates: [], timeout: Number.NaN }), /timeout/);
    assert.throws(() => createEngine({ gates: [], timeout: Infinity }), /timeout/);
    assert.throws(() => createEngine({ gates: [], failFast: 'yes' as unknown as boolean }), /failFast/);
    const many = Array.from({ length: 51 }, (_, i) => syncGate(`g${i}`, { passed: true }));
    assert.throws(() => createEngine({ gates: many }), /at most 50 gates/);
  });
  it('exposes defaults timeout 50 and failFast true', () => {
    const engine = createEngine({ gates: [] });
    assert.equal(engine.timeout, 50);
    assert.equal(engine.failFast, true);
  });
  it('rejects an evaluation without an agent_id', async () => {
    const engine = createEngine({ gates: [] });
    await assert.rejects(engine.evaluate({ output: 'x' } as never), /agent_id/);
    await assert.rejects(engine.evaluate(null as never), /context must be an object/);
  });
});

describe('engine.evaluate', () => {
  it('passes when every gate passes and reports each gate in order', async () => {
    const engine = createEngine({ gates: [syncGate('a', { passed: true }), delayedGate('b', 5, { passed: true })], timeout: 5000 });
    const r = await engine.evaluate({ ...ctx, latency_ms: 12 });
    assert.equal(r.passed, true);
    assert.deepEqual(r.gates.map((g) => [g.name, g.passed]), [['a', true], ['b', true]]);
    assert.equal(r.agent_id, 'agent-1');
    assert.equal(r.tool, 'search');
    assert.equal(r.latency_ms, 12);
    assert.ok(!Number.isNaN(Date.parse(r.created_at)));
    assert.match(r.evaluation_id, /^ev_[0-9A-Z]{26}$/);
  });

  it('an engine without gates passes', async () => {
    const r = await createEngine({ gates: [] }).evaluate(ctx);
    assert.equal(r.passed, true);
    assert.deepEqual(r.gates, []);
  });

  it('counts a skipped gate as passing, even when it says passed: false', async () => {
    const engine = createEngine({ gates: [syncGate('s', { passed: false, skipped: true, reason: 'not applicable' })] });
    const r = await engine.evaluate(ctx);
    assert.equal(r.passed, true);
    assert.deepEqual(r.gates[0], { name: 's', passed: true, skipped: true, reason: 'not applicable', latency_ms: r.gates[0]!.latency_ms });
  });

  it('starts every gate before awaiting any of them', async () => {
    const started: string[] = [];
    const gate = (name: string): Gate => ({
      name,
      run: async () => {
        started.push(name);
        await new Promise((r) => setTimeout(r, 100));
        return { passed: true };
      },
    });
    const engine = createEngine({ gates: [gate('a'), gate('b'), gate('c')], timeout: 5000 });
    const t0 = performance.now();
    const r = await engine.evaluate(ctx);
    const wall = performance.now() - t0;
    assert.deepEqual(started, ['a', 'b', 'c']);
    // One after another these would need 300 ms; in parallel the wall clock stays near one gate's 100 ms.
    assert.ok(wall < 250, `gates did not run in parallel (${wall} ms)`);
    assert.equal(r.passed, true);
  });

  it('shares one abort signal between all gates', async () => {
    const signals: AbortSignal[] = [];
    const gate = (name: string): Gate => ({ name, run: (_c, s) => (signals.push(s), { passed: true }) });
    await createEngine({ gates: [gate('a'), gate('b')] }).evaluate(ctx);
    assert.equal(signals.length, 2);
    assert.equal(signals[0], signals[1]);
  });

  it('every built-in gate is marked signal-free and frozen, so its run cannot be swapped for one that listens', () => {
    const all: Gate[] = [
      ...defaultGates(),
      builtIn.commands(),
      builtIn.latency({ maxMs: 100 }),
      builtIn.schema({ '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value }) } }),
      ...Object.values(builtIn.rtb).map((make) => (make as (o?: object) => Gate)()),
    ];
    assert.equal(all.length, 12);
    for (const gate of all) {
      assert.ok(isSignalFree(gate), gate.name);
      assert.throws(() => {
        (gate as { run: Gate['run'] }).run = () => ({ passed: true });
      }, TypeError);
    }
    // A copy is a custom gate: it gets a real signal.
    assert.equal(isSignalFree({ ...defaultGates()[0]! }), false);
  });

  it('a custom gate among built-in ones gets a real signal of its own per evaluation, aborted at the timeout', async () => {
    const log: string[] = [];
    const signals: AbortSignal[] = [];
    const watcher: Gate = { name: 'watcher', run: (_c, s) => (signals.push(s), { passed: true }) };
    const engine = createEngine({ gates: [...defaultGates(), watcher, delayedGate('slow', 500, { passed: true }, log)], timeout: 30 });
    await engine.evaluate(ctx);
    await engine.evaluate(ctx);
    assert.deepEqual(log, ['slow saw abort', 'slow saw abort']);
    assert.equal(signals.length, 2);
    assert.notEqual(signals[0], signals[1], 'a signal aborted for one evaluation is never handed to the next');
    assert.ok(signals.every((s) => s.aborted));
  });

  it("each gate's latency_ms is its own, not the time since the evaluation began", async () => {
    const slow: Gate = {
      name: 'slow',
      run: () => {
        const until = performance.now() + 20;
        while (performance.now() < until) {
          /* busy */
        }
        return { passed: true };
      },
    };
    const r = await createEngine({ gates: [slow, syncGate('fast', { passed: true })], timeout: 1000 }).evaluate(ctx);
    assert.ok(r.gates[0]!.latency_ms >= 19, `slow ${r.gates[0]!.latency_ms}`);
    assert.ok(r.gates[1]!.latency_ms < 10, `fast gate charged for the slow one: ${r.gates[1]!.latency_ms}`);
    assert.ok(r.total_latency_ms >= 19);
  });

  it('total_latency_ms is wall-clock, not the sum of the gates', async () => {
    const engine = createEngine({
      gates: [delayedGate('a', 30, { passed: true }), delayedGate('b', 30, { passed: true }), delayedGate('c', 30, { passed: true })],
      timeout: 1000,
    });
    const r = await engine.evaluate(ctx);
    const sum = r.gates.reduce((s, g) => s + g.latency_ms, 0);
    assert.ok(r.total_latency_ms >= 29, `total ${r.total_latency_ms}`);
    assert.ok(r.total_latency_ms < sum, `total ${r.total_latency_ms} should be below the sum ${sum}`);
  });

  describe('timeout', () => {
    it('fails a slow async gate with pecta:timeout and aborts its signal', async () => {
      const log: string[] = [];
      const engine = createEngine({
        gates: [syncGate('fast', { passed: true }), delayedGate('slow', 500, { passed: true }, log)],
        timeout: 30,
      });
      const t0 = performance.now();
      const r = await engine.evaluate(ctx);
      const wall = performance.now() - t0;
      assert.equal(r.passed, false);
      assert.deepEqual(r.gates[0]!.passed, true);
      assert.deepEqual(
        { name: r.gates[1]!.name, passed: r.gates[1]!.passed, reason: r.gates[1]!.reason, aborted: r.gates[1]!.aborted },
        { name: 'slow', passed: false, reason: REASON_TIMEOUT, aborted: undefined },
      );
      assert.deepEqual(log, ['slow saw abort']);
      assert.ok(wall >= 28 && wall < 400, `evaluation took ${wall} ms`);
    });

    it('gives up on a gate that ignores the signal, at the budget', async () => {
      const engine = createEngine({ gates: [stubbornGate('deaf', 400, { passed: true })], timeout: 25 });
      const t0 = performance.now();
      const r = await engine.evaluate(ctx);
      const wall = performance.now() - t0;
      assert.equal(r.gates[0]!.reason, REASON_TIMEOUT);
      assert.equal(r.passed, false);
      assert.ok(wall < 300, `did not return at the budget (${wall} ms)`);
    });

    it('fails a gate that never settles', async () => {
      const never: Gate = { name: 'never', run: () => new Promise<GateOutcome>(() => {}) };
      const r = await createEngine({ gates: [never], timeout: 10 }).evaluate(ctx);
      assert.equal(r.gates[0]!.reason, REASON_TIMEOUT);
    });

    it('treats a synchronous gate that blocks past the budget as timed out', async () => {
      const blocking: Gate = {
        name: 'blocking',
        run: () => {
          const until = performance.now() + 30;
          while (performance.now() < until) {
            /* busy */
          }
          return { passed: true };
        },
      };
      const r = await createEngine({ gates: [blocking, delayedGate('later', 5, { passed: true })], timeout: 10 }).evaluate(ctx);
      assert.equal(r.gates[0]!.reason, REASON_TIMEOUT);
      assert.equal(r.gates[1]!.reason, REASON_TIMEOUT);
      assert.equal(r.passed, false);
    });

    it('timeout applies with failFast off too', async () => {
      const engine = createEngine({
        gates: [syncGate('bad', { passed: false, reason: 'no' }), stubbornGate('slow', 300, { passed: true })],
        timeout: 20,
        failFast: false,
      });
      const r = await engine.evaluate(ctx);
      assert.equal(r.gates[0]!.reason, 'no');
      assert.equal(r.gates[1]!.reason, REASON_TIMEOUT);
    });
  });

  describe('failFast', () => {
    it('a failing gate aborts the others, reported aborted: true / pecta:aborted', async () => {
      const log: string[] = [];
      const engine = createEngine({
        gates: [delayedGate('fails', 5, { passed: false, reason: 'bad output' }), delayedGate('slow', 500, { passed: true }, log)],
        timeout: 1000,
      });
      const t0 = performance.now();
      const r = await engine.evaluate(ctx);
      assert.ok(performance.now() - t0 < 300);
      assert.equal(r.passed, false);
      assert.deepEqual(r.gates[0]!.reason, 'bad output');
      assert.equal(r.gates[0]!.aborted, undefined);
      assert.deepEqual([r.gates[1]!.passed, r.gates[1]!.aborted, r.gates[1]!.reason], [false, true, REASON_ABORTED]);
      assert.deepEqual(log, ['slow saw abort']);
    });

    it('a synchronous failure aborts pending async gates without waiting', async () => {
      const engine = createEngine({
        gates: [stubbornGate('slow', 500, { passed: true }), syncGate('fails', { passed: false, reason: 'x' })],
        timeout: 1000,
      });
      const t0 = performance.now();
      const r = await engine.evaluate(ctx);
      assert.ok(performance.now() - t0 < 300);
      assert.deepEqual([r.gates[0]!.aborted, r.gates[0]!.reason], [true, REASON_ABORTED]);
      assert.equal(r.gates[1]!.reason, 'x');
    });

    it('synchronous gates always run to completion: all of them were started at once', async () => {
      let ran = false;
      const engine = createEngine({
        gates: [syncGate('fails', { passed: false }), { name: 'after', run: () => ((ran = true), { passed: true }) }],
      });
      const r = await engine.evaluate(ctx);
      assert.equal(ran, true);
      assert.equal(r.gates[1]!.passed, true);
    });

    it('with failFast: false every gate runs to completion', async () => {
      const engine = createEngine({
        gates: [delayedGate('fails', 2, { passed: false, reason: 'bad' }), delayedGate('slow', 40, { passed: true })],
        failFast: false,
        timeout: 1000,
      });
      const r = await engine.evaluate(ctx);
      assert.equal(r.passed, false);
      assert.deepEqual([r.gates[1]!.passed, r.gates[1]!.aborted, r.gates[1]!.reason], [true, undefined, undefined]);
    });

    it('a skipped gate does not trigger failFast', async () => {
      const engine = createEngine({
        gates: [syncGate('skip', { passed: false, skipped: true }), delayedGate('slow', 20, { passed: true })],
        timeout: 1000,
      });
      const r = await engine.evaluate(ctx);
      assert.equal(r.passed, true);
      assert.equal(r.gates[1]!.aborted, undefined);
    });
  });

  describe('throwing and misbehaving gates', () => {
    it('a gate that throws fails with the error class, never the message', async () => {
      const secret = 'alice@example.com';
      const thrower: Gate = {
        name: 't',
        run: () => {
          throw new RangeError(`cannot handle ${secret}`);
        },
      };
      const r = await createEngine({ gates: [thrower] }).evaluate({ ...ctx, output: secret });
      assert.equal(r.passed, false);
      assert.match(r.gates[0]!.reason!, /RangeError/);
      assert.ok(!r.gates[0]!.reason!.includes(secret));
      assert.ok(!JSON.stringify(r).includes(secret));
    });

    it('a gate whose promise rejects fails the same way', async () => {
      class PayloadError extends Error {}
      const r = await createEngine({
        gates: [{ name: 'rej', run: () => Promise.reject(new PayloadError('leak: 555-12-3456')) }],
      }).evaluate(ctx);
      assert.match(r.gates[0]!.reason!, /PayloadError/);
      assert.ok(!r.gates[0]!.reason!.includes('555'));
    });

    it('non-Error throws are named by type', async () => {
      const r = await createEngine({
        gates: [
          { name: 'str', run: () => { throw 'secret string'; } },
          { name: 'nul', run: () => Promise.reject(null) },
        ],
        failFast: false,
      }).evaluate(ctx);
      assert.match(r.gates[0]!.reason!, /string/);
      assert.ok(!r.gates[0]!.reason!.includes('secret'));
      assert.match(r.gates[1]!.reason!, /null/);
    });

    it('a gate returning something that is not an outcome fails', async () => {
      const r = await createEngine({
        gates: [
          { name: 'undef', run: () => undefined as unknown as GateOutcome },
          { name: 'str', run: () => ({ passed: 'yes' }) as unknown as GateOutcome },
        ],
        failFast: false,
      }).evaluate(ctx);
      assert.deepEqual(r.gates.map((g) => g.passed), [false, false]);
      assert.match(r.gates[0]!.reason!, /invalid-outcome/);
    });

    it('truncates over-long reasons to 500 characters (the ingest limit)', async () => {
      const r = await createEngine({ gates: [syncGate('long', { passed: false, reason: 'x'.repeat(900) })] }).evaluate(ctx);
      assert.equal(r.gates[0]!.reason!.length, 500);
    });

    it('a late rejection from an abandoned gate is swallowed', async () => {
      let unhandled = 0;
      const onUnhandled = (): void => void unhandled++;
      process.on('unhandledRejection', onUnhandled);
      try {
        await createEngine({
          gates: [
            syncGate('fails', { passed: false }),
            { name: 'late', run: () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 10)) },
          ],
        }).evaluate(ctx);
        await new Promise((r) => setTimeout(r, 30));
        assert.equal(unhandled, 0);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });
  });

  it('keeps gate details for in-process callers', async () => {
    const r = await createEngine({ gates: [syncGate('d', { passed: false, details: { count: 2 } })] }).evaluate(ctx);
    assert.deepEqual(r.gates[0]!.details, { count: 2 });
  });

  it('is safe to share across concurrent evaluations', async () => {
    const engine = createEngine({
      gates: [{ name: 'echo', run: async (c) => ({ passed: c.output === 'ok' }) }],
    });
    const outputs = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 'bad' : 'ok'));
    const results = await Promise.all(outputs.map((output, i) => engine.evaluate({ agent_id: `a${i}`, output })));
    results.forEach((r, i) => {
      assert.equal(r.agent_id, `a${i}`);
      assert.equal(r.passed, outputs[i] === 'ok');
    });
    assert.equal(new Set(results.map((r) => r.evaluation_id)).size, 200);
  });

  it('evaluation ids are unique and sort in creation order', async () => {
    const engine = createEngine({ gates: [] });
    const ids: string[] = [];
    for (let i = 0; i < 2000; i++) ids.push((await engine.evaluate(ctx)).evaluation_id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), ids);
  });
});
