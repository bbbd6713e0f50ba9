import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { latencyMicros,
  EMPTY_REPUTATION,
  ReputationWindow,
  WINDOW_SIZE,
  reputationOf,
  scoreFor,
  statusFor,
  windowLatency,
  type WindowEntry,
} from '../src/reputation.js';
import { prng } from './helpers/prng.js';

const P = (latency_ms: number | null = 0): WindowEntry => ({ passed: true, latency_ms });
const F = (latency_ms: number | null = 0): WindowEntry => ({ passed: false, latency_ms });
/** A latency of 0–200 ms, or none at all for about a quarter of the evaluations. */
const someLatency = (random: () => number): number | null =>
  random() < 0.25 ? null : random() < 0.3 ? Math.floor(random() * 200) : random() * 120;
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
    for (const seed of [1, 2, 3]) {
      const random = prng(seed);
      const window = new ReputationWindow();
      const all: WindowEntry[] = [];
      let passRate = random();
      for (let i = 0; i < 1400; i++) {
        if (i % 97 === 0) passRate = random();
        const entry = { passed: random() < passRate, latency_ms: someLatency(random) };
        all.push(entry);
        const pushed = window.push(entry);
        const reference = reputationOf(all);
        assert.deepEqual(pushed, reference, `seed ${seed}, push #${i}`);
        assert.deepEqual(window.reputation(), reference);
      }
      assert.equal(window.size, 500);
      // The window keeps latencies at microsecond precision (what makes its running sums exact).
      const micros = (e: WindowEntry) => latencyMicros(e.latency_ms);
      assert.deepEqual(window.entries(), all.slice(-500).map((e) => ({ passed: e.passed, latency_ms: micros(e) === null ? null : micros(e)! / 1000 })));
    }
  });

  it('peek gives what push would return and leaves the window as it was', () => {
    const random = prng(11);
    const window = new ReputationWindow();
    const shadow = new ReputationWindow();
    for (let i = 0; i < 1300; i++) {
      const entry = { passed: random() < 0.8, latency_ms: random() < 0.2 ? null : random() < 0.5 ? random() * 2000 : Math.floor(random() * 300) };
      const before = window.reputation();
      const peeked = window.peek(entry);
      assert.deepEqual(window.reputation(), before, `peek #${i} changed the window`);
      // A peeked entry that is then dropped (a duplicate) must leave no trace on later pushes either.
      if (i % 3 === 0) continue;
      assert.deepEqual(peeked, window.push(entry), `peek #${i}`);
      shadow.add(entry);
      assert.deepEqual(shadow.reputation(), window.reputation());
    }
    assert.deepEqual(window.toBlob(), shadow.toBlob());
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
    const random = prng(7);
    for (const count of [0, 1, 499, 500, 501, 777]) {
      const window = new ReputationWindow();
      for (let i = 0; i < count; i++) window.push({ passed: random() < 0.8, latency_ms: i % 7 === 3 ? null : random() * 100 + 0.1 + 0.2 });
      const blob = window.toBlob();
      assert.ok(blob.byteLength <= 2 + Math.min(count, 500) * 3, `${blob.byteLength} bytes: latencies under 1 s take 3 bytes or less`);
      const back = ReputationWindow.fromBlob(blob);
      assert.deepEqual(back.entries(), window.entries(), `count ${count}`);
      assert.deepEqual(back.reputation(), window.reputation());
      // It keeps working as a ring after decoding.
      assert.deepEqual(back.push(F(5)), window.push(F(5)));
    }
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
