import { GAP_DASH, GAP_DOT, GAP_SPACE, groupLength, isGluedAfter, isGluedBefore, type DigitCluster } from './clusters.js';

/**
 * Numbers that have the shape of an SSN but identify nobody: 078-05-1120 (printed in a 1938 wallet insert and
 * "used" by thousands), 219-09-9999 (an SSA advertisement) and 123-45-6789 (the universal example). Flagging them
 * would fail documentation and test fixtures without protecting anyone.
 */
const EXAMPLE_SSNS = new Set(['078051120', '219099999', '123456789']);

/**
 * Last group of an SSN starting at group `first`, or -1. `NNN-NN-NNNN` always counts; the same digits spaced or
 * dotted, or as nine bare digits, count only next to an SSN keyword (`hasKeyword` is asked lazily). The number must
 * not sit inside a longer chain (`555-123-45-6789`) nor be glued to a word, and must be issuable: area 001-899
 * except 666, group 01-99, serial 0001-9999.
 */
export function ssnWindowEnd(
  text: string,
  cluster: DigitCluster,
  first: number,
  hasKeyword: (start: number, end: number) => boolean,
): number {
  if (isGluedBefore(text, cluster, first)) return -1;
  if (groupLength(cluster, first) === 9) {
    return isBareSsn(text, cluster, first, hasKeyword) ? first : -1;
  }
  const last = first + 2;
  if (last >= cluster.size || isGluedAfter(text, cluster, last)) return -1;
  if (groupLength(cluster, first) !== 3 || groupLength(cluster, first + 1) !== 2 || groupLength(cluster, last) !== 4) {
    return -1;
  }
  const separator = cluster.gaps[first + 1]!;
  if (cluster.gaps[last] !== separator) return -1;
  if (separator !== GAP_DASH && separator !== GAP_SPACE && separator !== GAP_DOT) return -1;
  const outer = (first > 0 ? cluster.gaps[first]! : 0) | (last + 1 < cluster.size ? cluster.gaps[last + 1]! : 0);
  if ((outer & (GAP_DASH | GAP_DOT)) !== 0) return -1;
  if (separator !== GAP_DASH) {
    if (outer !== 0 || !hasKeyword(cluster.starts[first]!, cluster.ends[last]!)) return -1;
  }
  const digits =
    text.slice(cluster.starts[first], cluster.ends[first]) +
    text.slice(cluster.starts[first + 1], cluster.ends[first + 1]) +
    text.slice(cluster.starts[last], cluster.ends[last]);
  return isIssuableSsn(digits) ? last : -1;
}

function isBareSsn(
  text: string,
  cluster: DigitCluster,
  k: number,
  hasKeyword: (start: number, end: number) => boolean,
): boolean {
  if (cluster.size !== 1 || isGluedAfter(text, cluster, k)) return false;
  const start = cluster.starts[k]!;
  const end = cluster.ends[k]!;
  return isIssuableSsn(text.slice(start, end)) && hasKeyword(start, end);
}

/** `digits` is nine ASCII digits. */
function isIssuableSsn(digits: string): boolean {
  const area = digits.slice(0, 3);
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (digits.slice(3, 5) === '00' || digits.slice(5) === '0000') return false;
  return !EXAMPLE_SSNS.has(digits);
}
