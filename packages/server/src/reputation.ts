/**
 * Reputation (docs/api.md, Reputation) as pure functions over an agent's rolling window of its last 500 evaluations.
 *
 * The window is ordered by the order in which Pecta recorded the evaluations (arrival order). For live traffic that
 * is time order; a backfill through /v1/ingest should be sent oldest first. Arrival order is what lets every back end
 * keep the score exact under concurrent writers: an append happens under the agent's write lock and never rewrites
 * the middle of the window.
 */
import { REPUTATION_WINDOW } from '@pecta/core/wire';

/** The window is part of the wire contract: GET /v1/reputation counts the evaluations in it. */
export const WINDOW_SIZE = REPUTATION_WINDOW;
export const CALIBRATION_EVALUATIONS = 50;

export type ReputationStatus = 'new' | 'calibrating' | 'active' | 'mature';

export interface Reputation {
  score: number;
  status: ReputationStatus;
  evaluations: number;
  passed: number;
  pass_rate: number;
  avg_latency_ms: number;
  streak: number;
}

/** One evaluation as the window sees it. */
export interface WindowEntry {
  passed: boolean;
  /**
   * The agent's reported latency when given, otherwise the gates' total latency (docs/api.md, Reputation); null when the evaluation
   * has neither, which leaves it out of `avg_latency_ms` (docs/api.md, Reputation).
   */
  latency_ms: number | null;
}

/** The latency an evaluation contributes to `avg_latency_ms`, or null when it has none (invalid values are none). */
export function windowLatency(latency_ms: number | null | undefined, total_latency_ms: number | null | undefined): number | null {
  if (isLatency(latency_ms)) return latency_ms;
  if (isLatency(total_latency_ms)) return total_latency_ms;
  return null;
}

function isLatency(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

export function statusFor(evaluations: number): ReputationStatus {
  if (evaluations <= 0) return 'new';
  if (evaluations < CALIBRATION_EVALUATIONS) return 'calibrating';
  if (evaluations < WINDOW_SIZE) return 'active';
  return 'mature';
}

/**
 * The reputation formula (docs/api.md, Reputation) on already-aggregated numbers. `avgLatencyMs` is null when no evaluation in the window has a
 * latency: the latency component then earns nothing, since unmeasured evaluations are no evidence of speed (counted as
 * 0 ms they earned all 250 points).
 */
export function scoreFor(evaluations: number, passed: number, avgLatencyMs: number | null, streak: number): number {
  if (evaluations <= 0) return 0;
  const passRate = passed / evaluations;
  const latencyScore = avgLatencyMs === null ? 0 : Math.max(0, 1 - avgLatencyMs / 100);
  const streakScore = Math.min(streak, 50) / 50;
  const volumeScore = Math.min(evaluations, WINDOW_SIZE) / WINDOW_SIZE;
  // The epsilon absorbs binary floating-point error (0.7*400 = 279.99999999999994) so that exact products floor as
  // a person computing the formula by hand would expect; it is far below any real score step of 1.
  const raw = passRate * 400 + latencyScore * 250 + streakScore * 200 + volumeScore * 150;
  return Math.max(0, Math.min(1000, Math.floor(raw + 1e-9)));
}

/**
 * Latencies enter the window as whole microseconds. Integer sums are exact in a float64 (500 × 60 s is 3·10¹⁰ µs,
 * far below 2⁵³), so a running sum equals a fresh recomputation bit for bit, in any order: that is what lets the
 * stored score stay exactly the formula recomputed from the stored events while each append costs O(1).
 */
export function latencyMicros(latency_ms: number | null): number | null {
  return isLatency(latency_ms) ? Math.min(Math.round(latency_ms * 1000), MAX_LATENCY_MICROS) : null;
}

/**
 * Latencies are capped at 2^43 µs (about 100 days), far beyond anything the API accepts (60 s), so that a window's sum
 * (500 × 2^43 < 2^52) stays an exact integer in a float64 whatever a caller of the store passes.
 */
export const MAX_LATENCY_MICROS = 2 ** 43;

const BLOB_MARKER = [0x33, 0xff] as const;
/** (2^43 + 1) × 2 + 1 needs 7 varint bytes (7 bits each); one more is slack. */
const MAX_VARINT_BYTES = 8;

/** Recomputes reputation from a window given oldest first (the reference every stored score must equal). */
export function reputationOf(window: readonly WindowEntry[]): Reputation {
  const entries = window.length > WINDOW_SIZE ? window.slice(window.length - WINDOW_SIZE) : window;
  const evaluations = entries.length;
  let passed = 0;
  let timed = 0;
  let micros = 0;
  for (const e of entries) {
    if (e.passed) passed++;
    const m = latencyMicros(e.latency_ms);
    if (m !== null) {
      timed++;
      micros += m;
    }
  }
  let streak = 0;
  for (let i = entries.length - 1; i >= 0 && entries[i]!.passed; i--) streak++;
  return summarise(evaluations, passed, timed, micros, streak);
}

/**
 * The reputation of a window from its aggregates: `timed` evaluations of it have a latency, summing to
 * `latencyMicrosSum` µs. `avg_latency_ms` is their mean, and 0 on the wire when there are none.
 */
export function summarise(evaluations: number, passed: number, timed: number, latencyMicrosSum: number, streak: number): Reputation {
  const avg = timed > 0 ? latencyMicrosSum / timed / 1000 : null;
  return {
    score: scoreFor(evaluations, passed, avg, streak),
    status: statusFor(evaluations),
    evaluations,
    passed,
    pass_rate: evaluations > 0 ? round4(passed / evaluations) : 0,
    avg_latency_ms: avg === null ? 0 : round3(avg),
    streak,
  };
}

export const EMPTY_REPUTATION: Reputation = Object.freeze(summarise(0, 0, 0, 0, 0));

/**
 * An agent's window: a ring of its last 500 (passed, latency µs or none) entries with running aggregates, so that
 * appending one evaluation and reading the reputation are both O(1). Serialises to a compact blob for storage.
 */
export class ReputationWindow {
  private readonly passedFlags = new Uint8Array(WINDOW_SIZE);
  private readonly timedFlags = new Uint8Array(WINDOW_SIZE);
  /** 0 where the entry has no latency, so that the sum can add and subtract every slot alike. */
  private readonly micros = new Float64Array(WINDOW_SIZE);
  private start = 0;
  private length = 0;
  private passedCount = 0;
  private timedCount = 0;
  private microsSum = 0;
  private streak = 0;

  constructor(entries: readonly WindowEntry[] = []) {
    for (const e of entries) this.append(e.passed, latencyMicros(e.latency_ms));
  }

  get size(): number {
    return this.length;
  }

  /** Appends one evaluation (evicting the oldest when full) and returns the reputation right after it. */
  push(entry: WindowEntry): Reputation {
    this.add(entry);
    return this.reputation();
  }

  /** push without computing the reputation, for a caller that has it from peek already. */
  add(entry: WindowEntry): void {
    this.append(entry.passed, latencyMicros(entry.latency_ms));
  }

  /**
   * The reputation `push(entry)` would return, without appending: the writer stores an event with the score it gives
   * and counts it only once the insert shows it was not a duplicate. Same arithmetic in the same order as append, so
   * the two agree to the last bit.
   */
  peek(entry: WindowEntry): Reputation {
    const micros = latencyMicros(entry.latency_ms);
    const flag = entry.passed ? 1 : 0;
    let length = this.length;
    let passedCount = this.passedCount;
    let timedCount = this.timedCount;
    let microsSum = this.microsSum;
    if (length === WINDOW_SIZE) {
      passedCount -= this.passedFlags[this.start]!;
      timedCount -= this.timedFlags[this.start]!;
      microsSum -= this.micros[this.start]!;
    } else {
      length++;
    }
    const streak = entry.passed ? Math.min(this.streak + 1, length) : 0;
    return summarise(length, passedCount + flag, timedCount + (micros === null ? 0 : 1), microsSum + (micros ?? 0), streak);
  }

  private append(passed: boolean, micros: number | null): void {
    const flag = passed ? 1 : 0;
    const timed = micros === null ? 0 : 1;
    const value = micros ?? 0;
    let at: number;
    if (this.length === WINDOW_SIZE) {
      at = this.start;
      this.passedCount -= this.passedFlags[at]!;
      this.timedCount -= this.timedFlags[at]!;
      this.microsSum -= this.micros[at]!;
      this.start = (this.start + 1) % WINDOW_SIZE;
    } else {
      at = (this.start + this.length) % WINDOW_SIZE;
      this.length++;
    }
    this.passedFlags[at] = flag;
    this.timedFlags[at] = timed;
    this.micros[at] = value;
    this.passedCount += flag;
    this.timedCount += timed;
    this.microsSum += value;
    // Counted back from the newest and never longer than the window itself.
    this.streak = passed ? Math.min(this.streak + 1, this.length) : 0;
  }

  entries(): WindowEntry[] {
    const out: WindowEntry[] = [];
    for (let i = 0; i < this.length; i++) {
      const at = (this.start + i) % WINDOW_SIZE;
      out.push({ passed: this.passedFlags[at] === 1, latency_ms: this.timedFlags[at] === 1 ? this.micros[at]! / 1000 : null });
    }
    return out;
  }

  reputation(): Reputation {
    return summarise(this.length, this.passedCount, this.timedCount, this.microsSum, this.streak);
  }

  /**
   * Layout: the marker bytes 0x33 0xFF (a later layout gets another marker), then one unsigned LEB128 varint per entry,
   * oldest first, holding `code × 2 + passed`, where code is 0 for an evaluation without latency and `latency µs + 1`
   * otherwise. A typical latency of 100–999 ms takes 3 bytes, so a full window is ~1.5 KB and fits on one database page
   * beside others, where fixed 9-byte entries (4.5 KB) would spill onto an overflow page that every write dirties.
   */
  toBlob(): Uint8Array {
    const out = new Uint8Array(2 + this.length * MAX_VARINT_BYTES);
    out[0] = BLOB_MARKER[0];
    out[1] = BLOB_MARKER[1];
    let off = 2;
    for (let i = 0; i < this.length; i++) {
      const at = (this.start + i) % WINDOW_SIZE;
      const code = this.timedFlags[at] === 1 ? this.micros[at]! + 1 : 0;
      // Arithmetic rather than bit operators: values go past 2^32 (latencyMicros caps them at 2^43).
      let value = code * 2 + this.passedFlags[at]!;
      while (value >= 0x80) {
        out[off++] = (value % 0x80) | 0x80;
        value = Math.floor(value / 0x80);
      }
      out[off++] = value;
    }
    return out.subarray(0, off);
  }

  /** Anything malformed (or of an unknown layout) yields only the complete entries before it, never an exception. */
  static fromBlob(blob: Uint8Array | null | undefined): ReputationWindow {
    const window = new ReputationWindow();
    if (!blob || blob.byteLength < 2 || blob[0] !== BLOB_MARKER[0] || blob[1] !== BLOB_MARKER[1]) return window;
    let off = 2;
    while (off < blob.byteLength && window.length < WINDOW_SIZE) {
      let value = 0;
      let scale = 1;
      let byte: number;
      let bytes = 0;
      do {
        if (off >= blob.byteLength || bytes === MAX_VARINT_BYTES) return window;
        byte = blob[off++]!;
        value += (byte & 0x7f) * scale;
        scale *= 0x80;
        bytes++;
      } while (byte & 0x80);
      const code = Math.floor(value / 2);
      window.append(value % 2 === 1, code === 0 ? null : code - 1);
    }
    return window;
  }
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
