import { isAsciiAlphanumeric, isAsciiLetter, isWordCode } from './chars.js';

/** IBAN length per country, from the SWIFT IBAN registry. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30,
  KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20,
  MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22,
  RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** IBAN lengths indexed by the two letters of the country code (A=0): no string is built per candidate. */
const LENGTH_BY_CODE = new Uint8Array(26 * 26);
for (const [country, length] of Object.entries(IBAN_LENGTHS)) {
  LENGTH_BY_CODE[(country.charCodeAt(0) - 65) * 26 + (country.charCodeAt(1) - 65)] = length;
}

/**
 * End offset of an IBAN whose two-letter country code starts at `start`, or -1. The code must be a registry
 * country, stand on a word boundary and be followed by exactly that country's number of alphanumerics, written
 * compact or in blocks of four separated by single spaces, all letters in the case of the country code (printed
 * IBANs are upper case; lower case survives in lower-cased text), and pass the mod-97 check.
 */
export function ibanEndAt(text: string, start: number): number {
  const a = text.charCodeAt(start);
  const b = text.charCodeAt(start + 1);
  if (!isAsciiLetter(a) || !isAsciiLetter(b) || isWordCode(text.charCodeAt(start - 1))) return -1;
  const upper = a <= 90;
  if (upper !== b <= 90) return -1;
  const length = LENGTH_BY_CODE[((a | 0x20) - 97) * 26 + ((b | 0x20) - 97)]!;
  if (length === 0) return -1;
  const end = compactEnd(text, start, length, upper);
  if (end < 0 || isWordCode(text.charCodeAt(end))) return -1;
  return isChecksumValidAt(text, start, end) ? end : -1;
}

/**
 * End of `length` alphanumerics from `start` (single spaces allowed between blocks of four; letters in the case
 * given by `upper`), or -1. Hand-inlined: adversarial text can make many candidates overlap.
 */
function compactEnd(text: string, start: number, length: number, upper: boolean): number {
  const letterLow = upper ? 65 : 97;
  const letterHigh = upper ? 90 : 122;
  let pos = start;
  let read = 0;
  while (read < length) {
    const code = text.charCodeAt(pos);
    if (code >= 48 && code <= 57) {
      read++;
      pos++;
    } else if (code >= letterLow && code <= letterHigh) {
      read++;
      pos++;
    } else if (code === 32 && (read & 3) === 0 && read > 0 && isAsciiAlphanumeric(text.charCodeAt(pos + 1))) {
      pos++;
    } else {
      return -1;
    }
  }
  return pos;
}

/**
 * ISO 13616 check on the IBAN written at `text[start, end)` (alphanumerics, possibly with single spaces): the
 * first four characters move to the end, letters map to 10..35, and the number must be 1 mod 97. Read in place,
 * digit by digit, so that a candidate costs no string and no big integer: hostile text can make many of them.
 */
function isChecksumValidAt(text: string, start: number, end: number): boolean {
  let remainder = 0;
  let head = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 32) continue;
    // The country code and check digits are taken last.
    if (head < 4) {
      head++;
      continue;
    }
    remainder = mod97Step(remainder, code);
    if (remainder < 0) return false;
  }
  for (let i = start, taken = 0; taken < 4; i++) {
    const code = text.charCodeAt(i);
    if (code === 32) continue;
    taken++;
    remainder = mod97Step(remainder, code);
    if (remainder < 0) return false;
  }
  return remainder === 1;
}

function mod97Step(remainder: number, code: number): number {
  const value = alphanumericValue(code);
  if (value < 0) return -1;
  return value < 10 ? (remainder * 10 + value) % 97 : (remainder * 100 + value) % 97;
}

/** 0-9 for digits, 10-35 for letters of either case, -1 otherwise. */
function alphanumericValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return code - 55;
  if (code >= 97 && code <= 122) return code - 87;
  return -1;
}
