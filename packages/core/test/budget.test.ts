import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetExceeded, Meter, meterOf, UNITS_PER_CHECK } from '../src/budget.js';
import { createEngine, REASON_TIMEOUT } from '../src/engine.js';
import { defaultGates, gates as builtIn, walkStrings } from '../src/gates/index.js';
import type { Budget, Gate } from '../src/types.js';
import { isEmptyOutput } from '../src/gates/content/empty.js';
import { ALL_CREDENTIAL_FAMILIES } from '../src/gates/pii/credentials/families.js';
import { scanCredentials } from '../src/gates/pii/credentials/scan.js';
import { countEmails } from '../src/gates/pii/email.js';
import { countIpv6 } from '../src/gates/pii/ipv6.js';
import { PiiScanner, scanConfig } from '../src/gates/pii/scan.js';
import { HOSTILE_SHAPES } from './fixtures/hostile-shapes.js';
import { injectionScanner } from '../src/gates/injection/scan.js';

const never = new AbortController().signal;

/** A meter on a clock that reads 0 for the first `okReads` readings and past the deadline after that. */
function meterExpiringAfter(okReads: number): { meter: Meter; reads: () => number } {
  let reads = 0;
  const meter = new Meter(1, () => (reads++ < okReads ? 0 : 2));
  return { meter, reads: () => reads };
}

/** An array of `n` objects that count how many of them a gate has looked into. */
function countingOutput(n: number): { output: unknown[]; touched: () => number } {
  let touched = 0;
  const output = Array.from({ length: n }, () => ({
    get text(): string {
      touched++;
      return 'plain words';
    },
  }));
  return { output, touched: () => touched };
}

describe('Meter', () => {
  it('reads the clock once per UNITS_PER_CHECK units and throws BudgetExceeded past the deadline', () => {
    const { meter, reads } = meterExpiringAfter(1);
    for (let i = 0; i < UNITS_PER_CHECK - 1; i++) meter.spend(1);
    assert.equal(reads(), 0);
    meter.spend(1); // first reading: still in time
    assert.equal(reads(), 1);
    for (let i = 0; i < UNITS_PER_CHECK - 1; i++) meter.spend(1);
    assert.throws(() => meter.spend(1), BudgetExceeded);
    assert.equal(reads(), 2);
  });

  it('counts a scan of text by its length', () => {
    const { meter, reads } = meterExpiringAfter(0);
    assert.throws(() => meter.spendChars(1 << 20), BudgetExceeded);
    assert.equal(reads(), 1);
  });

  it('wraps a foreign budget and defers to its own expired()', () => {
    let expired = false;
    const foreign: Budget = { deadline: 0, expired: () => expired };
    const meter = meterOf(foreign)!;
    assert.notEqual(meter, foreign);
    meter.spend(UNITS_PER_CHECK);
    expired = true;
    assert.equal(meter.expired(), true);
    assert.throws(() => meter.spend(UNITS_PER_CHECK), BudgetExceeded);
    assert.equal(meterOf(undefined), undefined);
    const own = new Meter(0);
    assert.equal(meterOf(own), own);
  });
});

describe('the walker observes the budget', () => {
  it('takes a large array\'s items one at a time: the first budget check comes before the whole array is read', () => {
    let reads = 0;
    const items = new Proxy(Array.from({ length: 100_000 }, () => 'x'), {
      get(target, property, receiver) {
        if (typeof property === 'string' && /^\d+$/.test(property)) reads++;
        return Reflect.get(target, property, receiver);
      },
    });
    const { meter } = meterExpiringAfter(0);
    assert.throws(() => walkStrings(items, () => {}, { meter }), BudgetExceeded);
    assert.ok(reads <= UNITS_PER_CHECK, `read ${reads} items before stopping`);
  });

  it('stops within one check interval of the deadline, and visits everything without a meter', () => {
    const { output, touched } = countingOutput(100_000);
    const { meter } = meterExpiringAfter(2);
    assert.throws(() => walkStrings(output, () => {}, { meter }), BudgetExceeded);
    assert.ok(touched() < 3 * UNITS_PER_CHECK, `touched ${touched()} values`);
    const all = countingOutput(100_000);
    walkStrings(all.output, () => {});
    assert.equal(all.touched(), 100_000);
  });
});

describe('built-in gates observe the budget on every hostile shape', () => {
  const candidates: Gate[] = [
    ...defaultGates(),
    builtIn.filesystem({ pathTraversal: false }),
    builtIn.content({ empty: false }),
    builtIn.commands(),
    builtIn.injection(),
  ];
  // The content and commands gates do not read object keys (field names, not speech or commands): long keys are no
  // work for them.
  const littleWork = new Set(['content@long keys', 'commands@long keys']);
  for (const [shape, make] of Object.entries(HOSTILE_SHAPES)) {
    it(`stops part-way on ${shape} once the budget is spent`, () => {
      const output = make();
      for (const gate of candidates) {
        if (littleWork.has(`${gate.name}@${shape}`)) continue;
        const { meter } = meterExpiringAfter(0);
        assert.throws(
          () => gate.run({ agent_id: 'a', output }, never, meter),
          BudgetExceeded,
          `${gate.name} ran to the end of ${shape} past its deadline`,
        );
      }
    });
  }

  it('a gate run without a budget still completes (direct calls are unlimited)', () => {
    const outcome = builtIn.pii().run({ agent_id: 'a', output: HOSTILE_SHAPES['digits and dots']!() }, never);
    assert.equal(typeof (outcome as { passed: boolean }).passed, 'boolean');
  });
});

describe('the engine turns a spent budget into pecta:timeout', () => {
  it('stops the default suite on a huge output: every gate reports pecta:timeout, most values are never looked at', async () => {
    const n = 300_000;
    const { output, touched } = countingOutput(n);
    const engine = createEngine({ gates: defaultGates(), timeout: 1 });
    const r = await engine.evaluate({ agent_id: 'a', output });
    assert.equal(r.passed, false);
    for (const g of r.gates) assert.equal(g.reason, REASON_TIMEOUT, `${g.name}: ${g.reason}`);
    // Walking all of it once per gate would touch 3 × n; the budget stops the walks long before.
    assert.ok(touched() < n, `touched ${touched()} of ${3 * n}`);
  });

  it('does not start a synchronous gate once an earlier one has spent the budget', async () => {
    let started = false;
    const hog: Gate = {
      name: 'hog',
      run: (_ctx, _signal, budget) => {
        while (!budget!.expired()) {
          // spin until the deadline
        }
        return { passed: true };
      },
    };
    const next: Gate = { name: 'next', run: () => ((started = true), { passed: true }) };
    const r = await createEngine({ gates: [hog, next], timeout: 2 }).evaluate({ agent_id: 'a', output: 'x' });
    assert.equal(started, false);
    assert.deepEqual(
      r.gates.map((g) => [g.name, g.passed, g.reason]),
      [
        ['hog', false, REASON_TIMEOUT],
        ['next', false, REASON_TIMEOUT],
      ],
    );
  });

  it('reports a custom gate that throws BudgetExceeded, or throws past the deadline, as pecta:timeout', async () => {
    const thrower: Gate = {
      name: 'thrower',
      run: () => {
        throw new BudgetExceeded();
      },
    };
    const r = await createEngine({ gates: [thrower], timeout: 1000 }).evaluate({ agent_id: 'a', output: 'x' });
    assert.equal(r.gates[0]!.reason, REASON_TIMEOUT);
  });

  it('hands every gate the same budget, carrying the evaluation deadline', async () => {
    const seen: (Budget | undefined)[] = [];
    const spy = (name: string): Gate => ({ name, run: (_c, _s, b) => (seen.push(b), { passed: true }) });
    const before = performance.now();
    await createEngine({ gates: [spy('a'), spy('b')], timeout: 40 }).evaluate({ agent_id: 'a', output: 'x' });
    const after = performance.now();
    assert.equal(seen.length, 2);
    assert.equal(seen[0], seen[1]);
    assert.ok(seen[0]!.deadline >= before + 40 && seen[0]!.deadline <= after + 40);
  });
});

describe('the pii scanners observe the budget inside one long string', () => {
  // Called directly, without the walker (which already charges a string before handing it over).
  const all = { email: true, phone: true, ssn: true, card: true, iban: true, ip: true, credential: true };
  const cases: [string, string, (text: string, meter: Meter) => unknown][] = [
    ['e-mail candidates', 'e-mail fragments', (t, m) => countEmails(t, m)],
    ['credential prefixes', 'token prefixes', (t, m) => scanCredentials(t, ALL_CREDENTIAL_FAMILIES, new Uint32Array(10), m)],
    ['secret-named assignments', 'secret-named assignments', (t, m) => scanCredentials(t, ALL_CREDENTIAL_FAMILIES, new Uint32Array(10), m)],
    ['IPv6 runs', 'IPv6 fragments', (t, m) => countIpv6(t, m)],
    ['one huge digit cluster', 'digits and dots', (t, m) => new PiiScanner(scanConfig(all, 'US', ALL_CREDENTIAL_FAMILIES), m).scan(t)],
    ['many small clusters', 'mixed separators', (t, m) => new PiiScanner(scanConfig(all, 'US', ALL_CREDENTIAL_FAMILIES), m).scan(t)],
  ];
  for (const [label, shape, scan] of cases) {
    it(`stops reading ${label} once the budget is spent`, () => {
      const text = HOSTILE_SHAPES[shape]!() as string;
      assert.throws(() => scan(text, meterExpiringAfter(0).meter), BudgetExceeded);
      assert.doesNotThrow(() => scan(text, new Meter(Infinity)));
    });
  }
});

describe('the injection scanner observes the budget inside one long string', () => {
  const all = { override: true, roleMarker: true, hiddenDirective: true, concealment: true, exfiltration: true, invisible: true };
  for (const shape of ['injection trigger words', 'unclosed IMPORTANT tags', 'digits']) {
    it(`stops reading ${shape} once the budget is spent`, () => {
      const text = HOSTILE_SHAPES[shape]!() as string;
      const scanner = injectionScanner(all);
      const { meter, reads } = meterExpiringAfter(2);
      assert.throws(() => scanner.findings(text, meter), BudgetExceeded);
      assert.equal(reads(), 3, 'stopped at the first clock reading past the deadline');
      assert.doesNotThrow(() => scanner.findings(text, new Meter(Infinity)));
    });
  }
});

describe('cycles and shared sub-objects under a budget', () => {
  it('walks a cyclic value once, as without a budget', () => {
    const a: Record<string, unknown> = { t: 'once' };
    a.self = a;
    a.list = [a, a, { back: a, u: 'twice' }];
    const withMeter: string[] = [];
    walkStrings(a, (s) => void withMeter.push(s), { keys: false, meter: new Meter(Infinity) });
    const without: string[] = [];
    walkStrings(a, (s) => void without.push(s), { keys: false });
    assert.deepEqual(withMeter, ['once', 'twice']);
    assert.deepEqual(without, withMeter);
  });

  it('stops a value that shares sub-objects exponentially at the deadline, and walks it once without a budget', () => {
    let dag: unknown = 'leaf';
    for (let i = 0; i < 60; i++) dag = [dag, dag];
    const { meter } = meterExpiringAfter(3);
    assert.throws(() => walkStrings(dag, () => {}, { meter }), BudgetExceeded);
    let visits = 0;
    walkStrings(dag, () => void visits++);
    assert.equal(visits, 2, 'each container once: the innermost pair holds the string twice');
  });

  it('keeps the empty check finite on cycles and shared sub-objects under a budget', () => {
    const a: unknown[] = [];
    a.push(a, a, '');
    assert.equal(isEmptyOutput(a, new Meter(Infinity)), true);
    let dag: unknown = ' ';
    for (let i = 0; i < 60; i++) dag = [dag, dag];
    assert.throws(() => isEmptyOutput(dag, meterExpiringAfter(3).meter), BudgetExceeded);
    assert.equal(isEmptyOutput(dag), true);
  });
});
