import { getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import {
  GAP_CLOSE,
  GAP_DOT,
  GAP_OPEN,
  GAP_SPACE,
  groupLength,
  isGluedAfter,
  isGluedBefore,
  type DigitCluster,
} from './clusters.js';

/**
 * Phone numbers. A libphonenumber-js parse is costly and its own text search (findPhoneNumbersInText) far more so
 * (docs/benchmarks.md, Gates), so candidates are found here from digit clusters and cheap shape rules, and only the
 * few that survive are handed to libphonenumber. A number counts when
 *  - it is international (`+` or an 00/011 exit code) and libphonenumber finds it possible for its country code
 *    (an explicit `+` with a real calling code is itself strong evidence), or valid for 00/011 prefixes;
 *  - or it is formatted in national style (NANP: `(415) 555-2671`, `415-555-2671`, `415.555.2671`, `1 415 555 2671`;
 *    other regions: two or more groups) and valid for the default region;
 *  - or it is labelled: a phone keyword stands just before or after it ("Phone: 0490 75 40 81", "781 1704 mobile")
 *    and it has a phone-like shape (7-15 digits in at least two groups, or 10-12 bare digits; never a date).
 * libphonenumber calls are budgeted per evaluation (`PHONE_VALIDATION_BUDGET`); beyond it a candidate that passed
 * the shape rules counts as a phone number, so a flood of candidates costs linear time and fails closed.
 */

export const PHONE_VALIDATION_BUDGET = 128;

const MAX_PHONE_DIGITS = 15;
const MIN_NATIONAL_DIGITS = 7;
const MIN_INTERNATIONAL_DIGITS = 8;
const MAX_PHONE_GROUPS = 7;

export interface PhoneSettings {
  region: CountryCode;
  /** The region dials with the North American Numbering Plan (calling code 1). */
  nanp: boolean;
}

export function phoneSettings(region: CountryCode): PhoneSettings {
  return { region, nanp: getCountryCallingCode(region) === '1' };
}

export interface PhoneScan {
  settings: PhoneSettings;
  /** libphonenumber calls left in this evaluation. */
  budget: { remaining: number };
  hasKeyword(start: number, end: number): boolean;
  /** A keyword could label some number within [from, to) (see KeywordContext.anyAround). */
  mayHaveKeyword(from: number, to: number): boolean;
}

/** Upper bound on the characters a reading spans: 19 digits (16 and an exit code), 6 separators of up to 3, `+(`. */
const MAX_PHONE_SPAN = 19 + 6 * 3 + 2;

/** Last group of a phone number starting at group `first`, or -1. Longest reading first. */
export function phoneWindowEnd(text: string, cluster: DigitCluster, first: number, scan: PhoneScan): number {
  if (!isSoftStart(cluster, first) || isGluedBefore(text, cluster, first)) return -1;
  const plus = first === 0 && cluster.plus;
  const exitLength = plus ? 0 : exitCodeLength(text, cluster, first);
  if (!plus && exitLength === 0) {
    // Most starts can only be a national number; skip them early unless a keyword is near.
    const start = windowStart(cluster, first);
    if (!scan.mayHaveKeyword(start, start + MAX_PHONE_SPAN) && !mayBeNational(text, cluster, first, scan.settings)) {
      return -1;
    }
  }
  // The longest reading: at most 7 groups and 15 digits after an exit code (one more for a bracketed trunk), and
  // single-digit groups only where numbers have them (see mayBeShortGroup).
  const international = plus || exitLength > 0;
  let last = first;
  let digits = groupLength(cluster, first);
  while (last + 1 < cluster.size && last + 1 - first < MAX_PHONE_GROUPS) {
    const k = last + 1;
    const length = groupLength(cluster, k);
    if (length === 1 && !mayBeShortGroup(text, cluster, first, k, international)) break;
    if (digits + length - exitLength > MAX_PHONE_DIGITS + 1) break;
    last = k;
    digits += length;
  }
  for (; last >= first; digits -= groupLength(cluster, last), last--) {
    if (!isSoftEnd(cluster, last)) continue;
    if (isGluedAfter(text, cluster, last) && !hasExtension(text, cluster.ends[last]!)) continue;
    if (isPhoneWindow(text, cluster, first, last, digits, plus, exitLength, scan)) return last;
  }
  return -1;
}

/**
 * `digits` counts the digits of groups `first..last`; `exitLength` is the length of a leading 00/011 exit code
 * (0 when there is none or after a `+`).
 */
function isPhoneWindow(
  text: string,
  cluster: DigitCluster,
  first: number,
  last: number,
  digits: number,
  plus: boolean,
  exitLength: number,
  scan: PhoneScan,
): boolean {
  const groups = last - first + 1;
  if (groups > 1 && (cluster.gaps[last]! & GAP_OPEN) !== 0) return false; // "817 (2022)": a remark, not a part
  if (groups === 2 && cluster.gaps[last] === GAP_DOT) return false; // a decimal number
  if (groups === 4 && isDotted(cluster, first, last)) return false; // an IPv4-like quad
  if (groups === 3 && isDateLike(text, cluster, first)) return false;
  const length = digits - exitLength;
  if ((plus || exitLength > 0) && length >= MIN_INTERNATIONAL_DIGITS && length <= MAX_PHONE_DIGITS + 1) {
    const subscriber = phoneDigits(text, cluster, first, last).slice(exitLength);
    if (subscriber.length <= MAX_PHONE_DIGITS && validate(scan, `+${subscriber}`, undefined, plus)) return true;
  }
  if (!plus && groups > 1 && isNationalCandidate(text, cluster, first, last, digits, scan.settings)) {
    if (validate(scan, phoneDigits(text, cluster, first, last), scan.settings.region, false)) return true;
  }
  if (length < MIN_NATIONAL_DIGITS || length > MAX_PHONE_DIGITS) return false;
  if (groups === 1 && !plus && (length < 10 || length > 12)) return false;
  return scan.hasKeyword(windowStart(cluster, first), cluster.ends[last]!);
}

function validate(scan: PhoneScan, number: string, region: CountryCode | undefined, possibleIsEnough: boolean): boolean {
  if (scan.budget.remaining <= 0) return true;
  scan.budget.remaining--;
  const parsed = parsePhoneNumberFromString(number, region);
  if (parsed === undefined) return false;
  return possibleIsEnough ? parsed.isPossible() : parsed.isValid();
}

/** Some reading starting at `first` could pass `isNationalCandidate`. */
function mayBeNational(text: string, cluster: DigitCluster, first: number, settings: PhoneSettings): boolean {
  if (first + 1 >= cluster.size) return false;
  if (!settings.nanp) return true;
  const trunk = groupLength(cluster, first) === 1 && text.charCodeAt(cluster.starts[first]!) === 49;
  const area = trunk ? first + 1 : first;
  return area + 2 < cluster.size && groupLength(cluster, area) === 3 && groupLength(cluster, area + 1) === 3;
}

/**
 * National numbers worth a libphonenumber call. NANP regions: exactly `NXX NXX XXXX` (optionally after a 1) with
 * the plan's own rules (area code and exchange start with 2-9). Other regions: 7-12 digits.
 */
function isNationalCandidate(
  text: string,
  cluster: DigitCluster,
  first: number,
  last: number,
  digits: number,
  settings: PhoneSettings,
): boolean {
  if (!settings.nanp) return digits >= MIN_NATIONAL_DIGITS && digits <= 12;
  const groups = last - first + 1;
  const trunk = groups === 4 && groupLength(cluster, first) === 1 && text.charCodeAt(cluster.starts[first]!) === 49;
  if (!trunk && groups !== 3) return false;
  const area = trunk ? first + 1 : first;
  if (groupLength(cluster, area) !== 3 || groupLength(cluster, area + 1) !== 3 || groupLength(cluster, area + 2) !== 4) {
    return false;
  }
  if (((cluster.gaps[area + 1]! | cluster.gaps[area + 2]!) & GAP_OPEN) !== 0) return false; // only (NXX) is bracketed
  return text.charCodeAt(cluster.starts[area]!) >= 50 && text.charCodeAt(cluster.starts[area + 1]!) >= 50;
}

function isDotted(cluster: DigitCluster, first: number, last: number): boolean {
  for (let k = first + 1; k <= last; k++) if (cluster.gaps[k] !== GAP_DOT) return false;
  return true;
}

/** 2024-05-03, 03.05.2024, 5/3/2024 and the like (a 19xx/20xx year beside two 1-2 digit parts). */
function isDateLike(text: string, cluster: DigitCluster, first: number): boolean {
  const a = groupLength(cluster, first);
  const b = groupLength(cluster, first + 1);
  const c = groupLength(cluster, first + 2);
  if (b > 2) return false;
  if (a === 4 && c <= 2) return isYear(text, cluster.starts[first]!);
  if (c === 4 && a <= 2) return isYear(text, cluster.starts[first + 2]!);
  return false;
}

function isYear(text: string, start: number): boolean {
  const century = text.slice(start, start + 2);
  return century === '19' || century === '20';
}

/** The digits of the window, leaving out a bracketed trunk `(0)` as in `+41 (0)96 471 07 95`. */
function phoneDigits(text: string, cluster: DigitCluster, first: number, last: number): string {
  let digits = '';
  for (let k = first; k <= last; k++) {
    if (k > first && isBracketedTrunk(text, cluster, k)) continue;
    digits += text.slice(cluster.starts[k], cluster.ends[k]);
  }
  return digits;
}

/** A single-digit group at `k` continues a number: after the country code, as `(0)` or right after `(0)`. */
function mayBeShortGroup(text: string, cluster: DigitCluster, first: number, k: number, international: boolean): boolean {
  if (international && k === first + 1) return true;
  return isBracketedTrunk(text, cluster, k) || (k - 1 > first && isBracketedTrunk(text, cluster, k - 1));
}

function isBracketedTrunk(text: string, cluster: DigitCluster, k: number): boolean {
  return (
    groupLength(cluster, k) === 1 &&
    text.charCodeAt(cluster.starts[k]!) === 48 &&
    (cluster.gaps[k]! & GAP_OPEN) !== 0 &&
    k + 1 < cluster.size &&
    (cluster.gaps[k + 1]! & GAP_CLOSE) !== 0
  );
}

/** Length of an exit code (00 or 011) opening the window as its own group or glued to the country code. */
function exitCodeLength(text: string, cluster: DigitCluster, first: number): number {
  const start = cluster.starts[first]!;
  const length = groupLength(cluster, first);
  if (text.startsWith('011', start) && length >= 3) return 3;
  if (text.startsWith('00', start) && length >= 3 && text.charCodeAt(start + 2) !== 48) return 2;
  return 0;
}

/** A reading may start at the cluster start or after a gap with a space ("on 12/03 415-555-2671"). */
function isSoftStart(cluster: DigitCluster, k: number): boolean {
  return k === 0 || (cluster.gaps[k]! & GAP_SPACE) !== 0;
}

function isSoftEnd(cluster: DigitCluster, k: number): boolean {
  return k === cluster.size - 1 || (cluster.gaps[k + 1]! & GAP_SPACE) !== 0;
}

function windowStart(cluster: DigitCluster, first: number): number {
  return first === 0 ? cluster.leadStart : cluster.starts[first]!;
}

/** `x123`, `X 12`, `ext 12`, `ext. 12`, `extension 12` right after the number. */
function hasExtension(text: string, end: number): boolean {
  const code = text.charCodeAt(end);
  if (code === 120 || code === 88) {
    const next = text.charCodeAt(end + 1);
    return (next >= 48 && next <= 57) || (next === 32 && isDigitAt(text, end + 2));
  }
  return /^ext(?:ension|\.)?\s?\d/i.test(text.slice(end, end + 14));
}

function isDigitAt(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  return code >= 48 && code <= 57;
}
