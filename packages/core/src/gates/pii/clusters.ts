import type { Meter } from '../../budget.js';
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
const GAP_SLASH = 8;
export const GAP_OPEN = 16;
export const GAP_CLOSE = 32;

const MAX_GAP_LENGTH = 3;
/** Reading a long cluster is charged every 256 groups, as 256 groups of about two characters each. */
const CLUSTER_GROUPS_PER_CHARGE_MASK = 255;
const CLUSTER_CHARS_PER_CHARGE = 512;

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
export function readNextCluster(text: string, from: number, cluster: DigitCluster, meter?: Meter): boolean {
  const start = nextDigit(text, from);
  if (start < 0) return false;
  readCluster(text, start, cluster, meter);
  return true;
}

const NEXT_DIGIT = /[0-9]/g;
const NEAR = 8;

/**
 * Offset of the first digit at or after `from`, or -1. Digits close by are found with a plain loop; farther ones
 * with a native regex scan, which skips prose several times faster than charCodeAt but costs a call per search.
 */
function nextDigit(text: string, from: number): number {
  const near = Math.min(text.length, from + NEAR);
  for (let i = from; i < near; i++) if (isDigit(text.charCodeAt(i))) return i;
  if (near >= text.length) return -1;
  const digit = NEXT_DIGIT;
  digit.lastIndex = near;
  return digit.test(text) ? digit.lastIndex - 1 : -1;
}

/** Reads the cluster whose first digit is at `start`. */
function readCluster(text: string, start: number, cluster: DigitCluster, meter: Meter | undefined): void {
  let size = 0;
  let pos = start;
  let gap = 0;
  // Brackets must pair around one group, as in "(415) 555" or "+46 (0)8": "817 (2022)" is a number and a remark.
  let bracketOpen = text.charCodeAt(start - 1) === 40;
  for (;;) {
    const groupStart = pos;
    while (isDigit(text.charCodeAt(pos))) pos++;
    if (size === cluster.starts.length) grow(cluster);
    // A whole text can be one cluster ("1.1.1.…"): reading it is accounted as it goes, not only once read.
    if ((size & CLUSTER_GROUPS_PER_CHARGE_MASK) === 0) meter?.spendChars(CLUSTER_CHARS_PER_CHARGE);
    cluster.starts[size] = groupStart;
    cluster.ends[size] = pos;
    cluster.gaps[size] = gap;
    size++;
    const flag = separatorFlag(text.charCodeAt(pos));
    if (flag === 0) break;
    // Fast path: a one-character separator, by far the most common.
    const packed = isDigit(text.charCodeAt(pos + 1)) ? flag | (1 << 8) : longGapAt(text, pos);
    if (packed === 0) break;
    gap = packed & 0xff;
    const next = pos + (packed >> 8);
    if ((gap & GAP_CLOSE) !== 0 && !bracketOpen) break;
    if ((gap & GAP_OPEN) !== 0 && !closesAfterGroup(text, next)) break;
    bracketOpen = (gap & GAP_OPEN) !== 0;
    pos = next;
  }
  cluster.size = size;
  setLead(text, start, cluster);
  cluster.end = cluster.ends[size - 1]!;
}

/** The digit group starting at `pos` is followed by `)`. */
function closesAfterGroup(text: string, pos: number): boolean {
  let i = pos;
  while (isDigit(text.charCodeAt(i))) i++;
  return i > pos && text.charCodeAt(i) === 41;
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

export function groupLength(cluster: DigitCluster, k: number): number {
  return cluster.ends[k]! - cluster.starts[k]!;
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
