import { GAP_DASH, GAP_SPACE, groupLength, isGluedAfter, isGluedBefore, type DigitCluster } from './clusters.js';

const MIN_CARD_DIGITS = 12;
const MAX_CARD_DIGITS = 19;

/**
 * Last group of a payment card number starting at group `first`, or -1. A card is either one run of 12-19 digits
 * or groups separated by single spaces or single dashes (one kind throughout) whose first group has 4 digits and
 * whose middle groups have 4-6 (4-4-4-4, 4-6-5, 4-4-4-4-3), longest reading first. A grouped card must start its
 * chain of separators (or follow another finding, `afterFinding`). It must start with an issuer prefix whose
 * network issues that length (see `issuesLength`) and pass Luhn; 12-digit numbers also need a card keyword
 * nearby. Digits are read in place, without building strings, because long digit runs produce many windows.
 */
export function cardWindowEnd(
  text: string,
  cluster: DigitCluster,
  first: number,
  afterFinding: boolean,
  hasKeyword: (start: number, end: number) => boolean,
): number {
  const firstLength = groupLength(cluster, first);
  if (firstLength >= MIN_CARD_DIGITS) {
    if (firstLength > MAX_CARD_DIGITS || isGluedBefore(text, cluster, first) || isGluedAfter(text, cluster, first)) {
      return -1;
    }
    return isCardWindow(text, cluster, first, first, firstLength, hasKeyword) ? first : -1;
  }
  if (firstLength !== 4 || first + 1 >= cluster.size) return -1;
  const separator = cluster.gaps[first + 1]!;
  if (separator !== GAP_SPACE && separator !== GAP_DASH) return -1;
  // Only from the start of a chain (or right after a previous finding): "1234 5678 9012 3456" must not yield a
  // card from its last three groups.
  if (first > 0 && !afterFinding && cluster.gaps[first] === separator) return -1;
  if (isGluedBefore(text, cluster, first)) return -1;
  let last = first + 1;
  let digits = 4 + groupLength(cluster, last);
  while (last + 1 < cluster.size && cluster.gaps[last + 1] === separator) {
    const lastLength = groupLength(cluster, last);
    const next = digits + groupLength(cluster, last + 1);
    if (lastLength < 4 || lastLength > 6 || next > MAX_CARD_DIGITS) break;
    last++;
    digits = next;
  }
  for (; last > first; last--, digits -= groupLength(cluster, last + 1)) {
    if (digits < MIN_CARD_DIGITS) return -1;
    if (isGluedAfter(text, cluster, last)) continue;
    if (isCardWindow(text, cluster, first, last, digits, hasKeyword)) return last;
  }
  return -1;
}

function isCardWindow(
  text: string,
  cluster: DigitCluster,
  first: number,
  last: number,
  length: number,
  hasKeyword: (start: number, end: number) => boolean,
): boolean {
  const start = cluster.starts[first]!;
  const prefix = (text.charCodeAt(start) - 48) * 1000 + (text.charCodeAt(start + 1) - 48) * 100;
  // The first group has at least 4 digits in every reading, so the 4-digit prefix is contiguous.
  const p4 = prefix + (text.charCodeAt(start + 2) - 48) * 10 + (text.charCodeAt(start + 3) - 48);
  if (!issuesLength(p4, length) || !isLuhnValidWindow(text, cluster, first, last)) return false;
  // Twelve digits are also UPC-A barcodes, phone numbers with a country code, order ids: one in ten of them passes
  // Luhn, so a 12-digit (Maestro) number counts only where the text speaks of a card.
  return length > MIN_CARD_DIGITS || hasKeyword(start, cluster.ends[last]!);
}

/** Luhn over the digits of groups `first..last`, read in place from the right. */
function isLuhnValidWindow(text: string, cluster: DigitCluster, first: number, last: number): boolean {
  let sum = 0;
  let double = false;
  for (let k = last; k >= first; k--) {
    for (let i = cluster.ends[k]! - 1; i >= cluster.starts[k]!; i--) {
      let d = text.charCodeAt(i) - 48;
      if (double) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
      double = !double;
    }
  }
  return sum % 10 === 0;
}

/**
 * Issuer identification from the first four digits: the prefix ranges of the major networks and the lengths each
 * issues. 12-digit numbers are accepted only for Maestro, the one network that issues them.
 */
function issuesLength(p4: number, n: number): boolean {
  const p2 = Math.floor(p4 / 100);
  const p3 = Math.floor(p4 / 10);
  switch (Math.floor(p4 / 1000)) {
    case 1:
      return p4 === 1800 && n === 15; // JCB (legacy)
    case 2:
      if (p4 === 2131) return n === 15; // JCB (legacy)
      if (p4 >= 2200 && p4 <= 2204) return n >= 16; // Mir
      return p4 >= 2221 && p4 <= 2720 && n === 16; // Mastercard
    case 3:
      if (p2 === 34 || p2 === 37) return n === 15; // American Express
      if (p2 === 35) return n >= 16; // JCB
      if ((p3 >= 300 && p3 <= 305) || p4 === 3095 || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14; // Diners
      return false;
    case 4:
      return n === 13 || n === 16 || n === 19; // Visa
    case 5:
      if (p2 >= 51 && p2 <= 55) return n === 16; // Mastercard
      return p2 === 50 || p2 >= 56; // Maestro, 12-19
    case 6:
      return true; // Discover, UnionPay, RuPay (16-19) and Maestro (12-19)
    case 8:
      return (p2 === 81 || p2 === 82) && n === 16; // RuPay
    case 9:
      return p4 === 9792 && n === 16; // Troy
    default:
      return false;
  }
}
