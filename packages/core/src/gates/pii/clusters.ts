import { isDigit, isWordCode } from './chars.js';

/**
 * Splits text into digit clusters: runs of digit groups joined by short separators such as `415-555-2671`,
 * `(08) 8747 6301`, `+46 (0)8 928 571 38`, `4111 1111 1111 1111` or `192.168.0.1`. Detectors for numeric
 * identifiers then look at windows of consecutive groups, so that every number is read once and the whole text in
 * one linear pass, whatever its content.
 */

/** Flags describing the separator between two groups. */
export const GAP_SPACE = 1;
export const GAP_DASH = 2;
export const GAP_DOT = 4;
export const GAP_SLASH = 8;
export const GAP_OPEN = 16;
export const GAP_CLOSE = 32;

const MAX_GAP_LENGTH = 3;

export interface DigitCluster {
  /** Start and end (exclusive) offsets of each digit group; valid up to `size`. */
  starts: Int32Array;
  ends: Int32Array;
  /** `gaps[k]` describes the separator before group k (`gaps[0]` is unused, 0). */
  gaps: Uint8Array;
  size: number;
  /** A `+` immediately precedes the first group (or its opening parenthesis). */
  plus: boolean;
  /** Offset of the first character of the cluster, including a leading `+` or `(`. */
  leadStart: number;
  /** Offset just past the last digit. */
  end: number;
}

const INITIAL_CAPACITY = 32;

/** Typed arrays: a million-group cluster (a 1 MB "1 1 1 …") fills them several times faster than JS arrays. */
export function createCluster(): DigitCluster {
  return {
    starts: new Int32Array(INITIAL_CAPACITY),
    ends: new Int32Array(INITIAL_CAPACITY),
    gaps: new Uint8Array(INITIAL_CAPACITY),
    size: 0,
    plus: false,
    leadStart: 0,
    end: 0,
  };
}

function grow(cluster: DigitCluster): void {
  const capacity = cluster.starts.length * 2;
  const starts = new Int32Array(capacity);
  starts.set(cluster.starts);
  const ends = new Int32Array(capacity);
  ends.set(cluster.ends);
  const gaps = new Uint8Array(capacity);
  gaps.set(cluster.gaps);
  cluster.starts = starts;
  cluster.ends = ends;
  cluster.gaps = gaps;
}

/**
 * Reads the next digit cluster of `text` at or after offset `from` into `cluster` (scratch space, reused) and
 * returns true, or returns false when there is none. Continue from `cluster.end` (or further, when the caller
 * consumed more text, e.g. a whole IBAN).
 */
export function readNextCluster(text: string, from: number, cluster: DigitCluster): boolean {
  // A native regex scan skips prose between numbers several times faster than a charCodeAt loop.
  const digit = NEXT_DIGIT;
  digit.lastIndex = from;
  if (!digit.test(text)) return false;
  readCluster(text, digit.lastIndex - 1, cluster);
  return true;
}

const NEXT_DIGIT = /[0-9]/g;

/** Reads the cluster whose first digit is at `start`. */
function readCluster(text: string, start: number, cluster: DigitCluster): void {
  let size = 0;
  let pos = start;
  let gap = 0;
  for (;;) {
    const groupStart = pos;
    while (isDigit(text.charCodeAt(pos))) pos++;
    if (size === cluster.starts.length) grow(cluster);
    cluster.starts[size] = groupStart;
    cluster.ends[size] = pos;
    cluster.gaps[size] = gap;
    size++;
    gap = separatorFlag(text.charCodeAt(pos));
    if (gap === 0) break;
    // Fast path: a one-character separator, by far the most common.
    if (isDigit(text.charCodeAt(pos + 1))) {
      pos++;
      continue;
    }
    const packed = longGapAt(text, pos);
    if (packed === 0) break;
    gap = packed & 0xff;
    pos += packed >> 8;
  }
  cluster.size = size;
  setLead(text, start, cluster);
  cluster.end = cluster.ends[size - 1]!;
}

function setLead(text: string, firstDigit: number, cluster: DigitCluster): void {
  let lead = firstDigit;
  if (text.charCodeAt(lead - 1) === 40 /* ( */) lead--;
  cluster.plus = text.charCodeAt(lead - 1) === 43 /* + */;
  if (cluster.plus) lead--;
  cluster.leadStart = lead;
}

/**
 * A 2-3 character separator starting at `pos` that joins two digit groups, packed as `flags | length << 8`, else 0.
 * Separators are made of space, `-`, `.`, `/`, `(` and `)`, hold at most one of `-./`, at most one of each
 * bracket, no two spaces in a row, and are followed by a digit.
 */
function longGapAt(text: string, pos: number): number {
  let flags = 0;
  let marks = 0;
  let previousSpace = false;
  for (let k = 0; k < MAX_GAP_LENGTH; k++) {
    const code = text.charCodeAt(pos + k);
    if (isDigit(code)) return k < 2 ? 0 : flags | (k << 8);
    const flag = separatorFlag(code);
    if (flag === 0) return 0;
    if (flag === GAP_SPACE) {
      if (previousSpace) return 0;
      previousSpace = true;
    } else {
      previousSpace = false;
    }
    if ((flag === GAP_DASH || flag === GAP_DOT || flag === GAP_SLASH) && ++marks > 1) return 0;
    if ((flags & flag) !== 0 && (flag === GAP_OPEN || flag === GAP_CLOSE)) return 0;
    flags |= flag;
  }
  return isDigit(text.charCodeAt(pos + MAX_GAP_LENGTH)) ? flags | (MAX_GAP_LENGTH << 8) : 0;
}

function separatorFlag(code: number): number {
  switch (code) {
    case 32:
    case 0xa0:
      return GAP_SPACE;
    case 45:
      return GAP_DASH;
    case 46:
      return GAP_DOT;
    case 47:
      return GAP_SLASH;
    case 40:
      return GAP_OPEN;
    case 41:
      return GAP_CLOSE;
    default:
      return 0;
  }
}

/** Number of digits in groups `first..last` (inclusive). */
export function digitCount(cluster: DigitCluster, first: number, last: number): number {
  let n = 0;
  for (let k = first; k <= last; k++) n += cluster.ends[k]! - cluster.starts[k]!;
  return n;
}

export function groupLength(cluster: DigitCluster, k: number): number {
  return cluster.ends[k]! - cluster.starts[k]!;
}

/** The digits of groups `first..last`, without separators. */
export function windowDigits(text: string, cluster: DigitCluster, first: number, last: number): string {
  let digits = '';
  for (let k = first; k <= last; k++) digits += text.slice(cluster.starts[k], cluster.ends[k]);
  return digits;
}

/**
 * True when the window starting at group `first` is glued to a preceding token (`v1.2.3.4`, `ABC-123`, `/users/42`),
 * which makes it part of an identifier or a path rather than a value of its own.
 */
export function isGluedBefore(text: string, cluster: DigitCluster, first: number): boolean {
  if (first > 0) return false;
  const before = cluster.leadStart - 1;
  const code = text.charCodeAt(before);
  if (isWordCode(code)) return true;
  return (code === 45 || code === 46 || code === 47) && isWordCode(text.charCodeAt(before - 1));
}

/** Same as `isGluedBefore` for the end of a window ending at group `last`. */
export function isGluedAfter(text: string, cluster: DigitCluster, last: number): boolean {
  if (last < cluster.size - 1) return false;
  const after = cluster.ends[last]!;
  const code = text.charCodeAt(after);
  if (isWordCode(code)) return true;
  return (code === 46 || code === 47) && isWordCode(text.charCodeAt(after + 1));
}
