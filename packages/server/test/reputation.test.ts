import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  latencyMicros,
  EMPTY_REPUTATION,
  MAX_LATENCY_MICROS,
  ReputationWindow,
  WINDOW_SIZE,
  reputationOf,
  scoreFor,
  statusFor,
  windowLatency,
  type WindowEntry,
} from '../src/reputation.js';
import { propertyRuns } from './helpers/property.js';

const P = (latency_ms: number | null = 0): WindowEntry => ({ passed: true, latency_ms });
const F = (latency_ms: number | null = 0): WindowEntry => ({ passed: false, latency_ms });
/**
 * A latency of 0–200 ms, or none, or one at an edge: the half microsecond the window rounds, sums that are inexact
 * in binary, the API's limit, the cap ±1 µs, and the invalid values the window reads as none.
 */
const someLatency: fc.Arbitrary<number | null> = fc.oneof(
  fc.constant(null),
  fc.constantFrom(0, 0.0005, 0.0015, 0.1 + 0.2, 1 / 3, 60_000, MAX_LATENCY_MICROS / 1000 - 0.001, MAX_LATENCY_MICROS / 1000, MAX_LATENCY_MICROS / 1000 + 0.001, 1e300, -1, Number.NaN, Infinity),
  fc.integer({ min: 0, max: 200 }),
  fc.double({ min: 0, max: 120, noNaN: true }),
);
const someEntry: fc.Arbitrary<WindowEntry> = fc.record({ passed: fc.boolean(), latency_ms: someLatency });
/**
 * Evaluations of one verdict: a single one, or a run of up to 120 that makes long streaks and pass rates near 0 and 1,
 * which independent coin flips almost never give.
 */
interface Run {
  passed: boolean;
  latencies: Array<number | null>;
}
const someRun: fc.Arbitrary<Run> = fc.record({
  passed: fc.boolean(),
  latencies: fc.oneof(fc.array(someLatency, { minLength: 1, maxLength: 1 }), fc.array(someLatency, { minLength: 1, maxLength: 120, size: 'max' })),
});
const runEntries = ({ passed, latencies }: Run): WindowEntry[] => latencies.map((latency_ms) => ({ passed, latency_ms }));
/**
 * Any count up to well past the window's size, or one at and around it: the window stays short, fills or wraps. Any
 * count comes first, so that a hand-picked one shrinks like a generated one.
 */
const windowFill = fc.oneof(fc.integer({ min: 0, max: 1400 }), fc.constantFrom(WINDOW_SIZE - 1, WINDOW_SIZE, WINDOW_SIZE + 1));

/**
 * A history as `repeat` copies of one step, then the parts of `then`: kept in this form (mapped only inside the
 * property), a counterexample reads "501 × this, then these 2" rather than listing 503 steps, and a hand-picked
 * example shrinks like a generated one.
 */
interface History<S, T> {
  repeat: number;
  repeated: S;
  then: T[];
}
const history = <S, T>(step: fc.Arbitrary<S>, then: fc.Arbitrary<T[]>): fc.Arbitrary<History<S, T>> =>
  fc.record({ repeat: windowFill, repeated: step, then });
const repeated = <S,>({ repeat, repeated }: History<S, unknown>): S[] => Array.from({ length: repeat }, () => ({ ...repeated }));
const times = (n: number, entry: WindowEntry): WindowEntry[] => Array.from({ length: n }, () => ({ ...entry }));

describe('reputation formula (docs/api.md, Reputation)', () => {
  it('scores a hand-computed window exactly, despite 0.7*400 being 279.99999999999994 in floating point', () => {
    // 10 evaluations, 7 passed, latency 20 each, streak 3:
    // 0.7*400 = 280, (1 - 20/100)*250 = 200, 3/50*200 = 12, 10/500*150 = 3 → 495.
    const window = [F(20), P(20), P(20), P(20), F(20), P(20), F(20), P(20), P(20), P(20)];
    assert.deepEqual(reputationOf(window), {
      score: 495,
      status: 'calibrating',
      evaluations: 10,
      passed: 7,
      pass_rate: 0.7,
      avg_latency_ms: 20,
      streak: 3,
    });
  });

  it('floors a fractional score and rounds pass_rate to 4 and avg_latency_ms to 3 decimals', () => {
    // 2/3*400 = 266.67, (1 - 25/100)*250 = 187.5, 1/50*200 = 4, 3/500*150 = 0.9 → 459.07 → 459.
    const r = reputationOf([P(10), F(40), P(25)]);
    assert.equal(r.score, 459);
    assert.equal(r.pass_rate, 0.6667);
    assert.equal(r.avg_latency_ms, 25);
    assert.equal(reputationOf([P(1), P(2), P(2)]).avg_latency_ms, 1.667);
  });

  it('reaches 1000 for a full window of instant passes and never goes below 0', () => {
    assert.equal(reputationOf(times(500, P(0))).score, 1000);
    // A single failure at 150 ms: 0 + 0 (latency clamps at 0, not negative) + 0 + 0.3 → 0.
    assert.equal(reputationOf([F(150)]).score, 0);
    // A single pass at 150 ms: 400 + 0 + 4 + 0.3 → 404.
    assert.equal(reputationOf([P(150)]).score, 404);
    // A single instant failure: 0 + 250 + 0 + 0.3 → 250.
    assert.equal(reputationOf([F(0)]).score, 250);
  });

  it('caps the streak contribution at 50 but reports the real streak', () => {
    // 120 passes at 50 ms: 400 + 125 + 200 + 36 = 761.
    const r = reputationOf(times(120, P(50)));
    assert.equal(r.streak, 120);
    assert.equal(r.score, 761);
    assert.equal(scoreFor(120, 120, 50, 50), scoreFor(120, 120, 50, 120));
    assert.ok(scoreFor(120, 120, 50, 49) < scoreFor(120, 120, 50, 50));
  });

  it('leaves an evaluation without latency out of avg_latency_ms instead of counting it as 0 ms', () => {
    // Latencies 40 and 80 over 2 of 4 evaluations: 60 ms. 4/4*400 = 400, (1 - 60/100)*250 = 100, 4/50*200 = 16,
    // 4/500*150 = 1.2 → 517.
    const r = reputationOf([P(40), P(null), P(80), P(null)]);
    assert.equal(r.avg_latency_ms, 60);
    assert.equal(r.score, 517);
    assert.equal(r.evaluations, 4, 'it still counts as an evaluation');
  });

  it('gives no latency points to a window where no evaluation has a latency; avg_latency_ms reads 0', () => {
    // 400 + 0 + 4 + 0.3 → 404, where counting "no latency" as 0 ms gave the full 250 on top.
    const r = reputationOf([P(null)]);
    assert.deepEqual([r.score, r.avg_latency_ms], [404, 0]);
    assert.equal(reputationOf(times(500, P(null))).score, 750);
    assert.equal(scoreFor(1, 1, null, 1), 404);
    assert.equal(scoreFor(1, 1, 0, 1), 654, 'a measured 0 ms still earns the full latency score');
  });

  it('scores an agent without evaluations 0 with status new', () => {
    assert.deepEqual(reputationOf([]), EMPTY_REPUTATION);
    assert.deepEqual(EMPTY_REPUTATION, { score: 0, status: 'new', evaluations: 0, passed: 0, pass_rate: 0, avg_latency_ms: 0, streak: 0 });
    assert.equal(scoreFor(0, 0, 0, 0), 0);
  });

  it('gives the status by evaluations in the window: 0 new, 1–49 calibrating, 50–499 active, 500 mature', () => {
    const expected: Array<[number, string]> = [[0, 'new'], [1, 'calibrating'], [49, 'calibrating'], [50, 'active'], [499, 'active'], [500, 'mature']];
    for (const [count, status] of expected) {
      assert.equal(statusFor(count), status, `statusFor(${count})`);
      assert.equal(reputationOf(times(count, P(5))).status, status, `reputationOf of ${count}`);
    }
    assert.equal(reputationOf(times(700, P(5))).status, 'mature');
  });
});

describe('window of the last 500 evaluations', () => {
  it('drops the oldest evaluations beyond 500', () => {
    const window = [...times(20, F(90)), ...times(500, P(10))];
    const r = reputationOf(window);
    assert.deepEqual([r.evaluations, r.passed, r.pass_rate, r.avg_latency_ms, r.streak], [500, 500, 1, 10, 500]);
    assert.equal(r.score, 975);
    assert.deepEqual(reputationOf(window), reputationOf(window.slice(20)));
    assert.equal(WINDOW_SIZE, 500);
  });

  it('counts the streak back from the newest evaluation, resets it on a failure and bounds it by the window', () => {
    assert.equal(reputationOf([...times(30, P()), F(), ...times(10, P())]).streak, 10);
    assert.equal(reputationOf([...times(30, P()), F()]).streak, 0);
    assert.equal(reputationOf([F(), ...times(3, P()), F(), P()]).streak, 1);
    assert.equal(reputationOf(times(600, P())).streak, 500, 'only evaluations inside the window count');
    assert.equal(reputationOf([F(), ...times(500, P())]).streak, 500, 'a failure that left the window no longer breaks it');
    assert.equal(reputationOf([F(), ...times(499, P())]).streak, 499);
  });
});

describe('windowLatency', () => {
  it('uses latency_ms when given, otherwise total_latency_ms, otherwise none', () => {
    assert.equal(windowLatency(12, 30), 12);
    assert.equal(windowLatency(0, 30), 0, '0 is a given latency');
    assert.equal(windowLatency(null, 30), 30);
    assert.equal(windowLatency(undefined, 30), 30);
    assert.equal(windowLatency(null, null), null);
    assert.equal(windowLatency(undefined, undefined), null);
  });

  it('treats negative and non-finite values as missing', () => {
    assert.equal(windowLatency(-1, 30), 30);
    assert.equal(windowLatency(Number.NaN, 30), 30);
    assert.equal(windowLatency(Infinity, 30), 30);
    assert.equal(windowLatency(null, -5), null);
    assert.equal(windowLatency(null, Number.NaN), null);
  });
});

describe('ReputationWindow', () => {
  it('matches reputationOf after every push of long random sequences, across eviction', () => {
    fc.assert(
      fc.property(history(someEntry, fc.array(someRun, { maxLength: 12, size: 'max' })), (sequence) => {
        const all = [...repeated(sequence), ...sequence.then.flatMap(runEntries)];
        const window = new ReputationWindow();
        all.forEach((entry, i) => {
          const reference = reputationOf(all.slice(0, i + 1));
          assert.deepEqual(window.push(entry), reference, `push #${i}`);
          assert.deepEqual(window.reputation(), reference);
        });
        assert.equal(window.size, Math.min(all.length, WINDOW_SIZE));
        // The window keeps latencies at microsecond precision (what makes its running sums exact).
        const micros = (e: WindowEntry) => latencyMicros(e.latency_ms);
        assert.deepEqual(window.entries(), all.slice(-WINDOW_SIZE).map((e) => ({ passed: e.passed, latency_ms: micros(e) === null ? null : micros(e)! / 1000 })));
      }),
      // The example makes every run evict, whatever the seed.
      { ...propertyRuns(6), examples: [[{ repeat: WINDOW_SIZE + 1, repeated: P(3), then: [{ passed: false, latencies: [null] }, { passed: true, latencies: [0.0005] }] }]] },
    );
  });

  it('peek gives what push would return and leaves the window as it was', () => {
    const entry = fc.record({ passed: fc.boolean(), latency_ms: fc.oneof(someLatency, fc.double({ min: 0, max: 2000, noNaN: true })) });
    // `pushed: false` is an entry that is peeked and then dropped (a duplicate): it must leave no trace on later pushes.
    const step = fc.record({ entry, pushed: fc.boolean() });
    const filling = fc.record({ entry, pushed: fc.constant(true) });
    fc.assert(
      fc.property(history(filling, fc.array(step, { maxLength: 300, size: 'max' })), (sequence) => {
        const window = new ReputationWindow();
        const shadow = new ReputationWindow();
        [...repeated(sequence), ...sequence.then].forEach(({ entry, pushed }, i) => {
          const before = window.reputation();
          const peeked = window.peek(entry);
          assert.deepEqual(window.reputation(), before, `peek #${i} changed the window`);
          if (!pushed) return;
          assert.deepEqual(peeked, window.push(entry), `peek #${i}`);
          shadow.add(entry);
          assert.deepEqual(shadow.reputation(), window.reputation());
        });
        assert.deepEqual(window.toBlob(), shadow.toBlob());
      }),
      {
        ...propertyRuns(5),
        examples: [[{ repeat: WINDOW_SIZE, repeated: { entry: P(2), pushed: true }, then: [{ entry: F(1), pushed: false }, { entry: F(null), pushed: true }] }]],
      },
    );
  });

  it('builds from entries like pushing them one by one', () => {
    const entries = [...times(300, P(3)), F(1), ...times(250, P(7.5))];
    const built = new ReputationWindow(entries);
    const pushed = new ReputationWindow();
    for (const e of entries) pushed.push(e);
    assert.deepEqual(built.entries(), pushed.entries());
    assert.deepEqual(built.reputation(), reputationOf(entries));
  });

  it('treats an invalid latency pushed directly as none', () => {
    const window = new ReputationWindow();
    window.push({ passed: true, latency_ms: Number.NaN });
    window.push({ passed: true, latency_ms: -4 });
    assert.equal(window.push({ passed: true, latency_ms: 30 }).avg_latency_ms, 30);
    assert.deepEqual(window.entries().map((e) => e.latency_ms), [null, null, 30]);
  });

  it('keeps "no latency" apart from 0 ms through eviction and its blob', () => {
    const window = new ReputationWindow([P(null), P(0), F(null), P(12.5)]);
    assert.deepEqual(window.reputation(), reputationOf([P(null), P(0), F(null), P(12.5)]));
    const back = ReputationWindow.fromBlob(window.toBlob());
    assert.deepEqual(back.entries(), [P(null), P(0), F(null), P(12.5)]);
    assert.deepEqual(back.reputation(), window.reputation());
    // Evicting the timed entries leaves only untimed ones: the average must drop back to "none", not divide by 0.
    for (let i = 0; i < 500; i++) back.push(P(null));
    assert.deepEqual(back.reputation(), reputationOf(times(500, P(null))));
  });

  it('round-trips through its blob bit for bit, including after the ring wrapped', () => {
    const underASecond = fc.oneof(fc.constant(null), fc.constantFrom(0, 0.0005, 0.1 + 0.2, 999.999), fc.double({ min: 0, max: 999.999, noNaN: true }));
    const entry = fc.record({ passed: fc.boolean(), latency_ms: underASecond });
    fc.assert(
      fc.property(history(entry, fc.array(entry, { maxLength: 20 })), (sequence) => {
        const all = [...repeated(sequence), ...sequence.then];
        const window = new ReputationWindow();
        for (const e of all) window.push(e);
        const blob = window.toBlob();
        assert.ok(blob.byteLength <= 2 + Math.min(all.length, WINDOW_SIZE) * 3, `${blob.byteLength} bytes: latencies under 1 s take 3 bytes or less`);
        const back = ReputationWindow.fromBlob(blob);
        assert.deepEqual(back.entries(), window.entries());
        assert.deepEqual(back.reputation(), window.reputation());
        // It keeps working as a ring after decoding.
        assert.deepEqual(back.push(F(5)), window.push(F(5)));
        assert.deepEqual(back.entries(), window.entries());
      }),
      { ...propertyRuns(25), examples: [[{ repeat: 0, repeated: P(1), then: [] }], [{ repeat: 777, repeated: P(0.1 + 0.2), then: [F(null)] }]] },
    );
  });

  it('decodes a blob that is a view into a larger buffer (as database drivers return them)', () => {
    const window = new ReputationWindow([P(1.5), F(2.25), P(3)]);
    const blob = window.toBlob();
    const pool = Buffer.alloc(blob.byteLength + 13, 0xff);
    pool.set(blob, 7);
    const view = pool.subarray(7, 7 + blob.byteLength);
    assert.deepEqual(ReputationWindow.fromBlob(view).entries(), window.entries());
  });

  it('decodes missing, empty and truncated blobs without throwing', () => {
    assert.equal(ReputationWindow.fromBlob(null).size, 0);
    assert.equal(ReputationWindow.fromBlob(undefined).size, 0);
    assert.equal(ReputationWindow.fromBlob(new Uint8Array(0)).size, 0);
    assert.equal(ReputationWindow.fromBlob(new Uint8Array([5])).size, 0);
    const full = new ReputationWindow(times(10, P(4))).toBlob();
    // 4 ms is 4000 µs: (4000 × 2 + 1) takes two varint bytes.
    const truncated = full.subarray(0, 2 + 5 * 2 + 1);
    assert.deepEqual(ReputationWindow.fromBlob(truncated).entries(), times(5, P(4)), 'only complete entries are read');
    const endless = new Uint8Array([0x33, 0xff, ...new Array(20).fill(0x80)]);
    assert.equal(ReputationWindow.fromBlob(endless).size, 0, 'a varint longer than any valid one ends the decoding');
  });

  it('reads a blob of an unknown layout as an empty window rather than as garbage', () => {
    const v1Like = new Uint8Array([3, 0, 1, 0, 0, 0, 0, 0, 0, 248, 63]);
    assert.equal(ReputationWindow.fromBlob(v1Like).size, 0);
    assert.equal(ReputationWindow.fromBlob(new Uint8Array([0x32, 0xff, 0x03])).size, 0);
  });

  it('encodes latencies exactly up to the cap, and caps absurd ones so sums stay exact', () => {
    const huge = [P(2 ** 43 / 1000), F(1e300), P(123_456.789)];
    const window = new ReputationWindow(huge);
    const back = ReputationWindow.fromBlob(window.toBlob());
    assert.deepEqual(back.entries(), window.entries());
    assert.equal(back.entries()[1]!.latency_ms, 2 ** 43 / 1000, '1e300 ms is held at the cap');
    assert.deepEqual(back.reputation(), reputationOf(huge));
  });
});
