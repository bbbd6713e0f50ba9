/** Check-digit algorithms used to tell real identifiers from numbers that merely have the right shape. */

/** Luhn (mod 10) over a string of ASCII digits, as used by payment card numbers. */
export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * ISO 13616 check: moves the first four characters to the end, maps letters to 10..35 and requires the number to
 * be 1 mod 97. Computed digit by digit so that no big integer is needed. `iban` must be compact (no spaces) and
 * alphanumeric; case does not matter.
 */
export function isIbanChecksumValid(iban: string): boolean {
  if (iban.length < 5) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const value = alphanumericValue(rearranged.charCodeAt(i));
    if (value < 0) return false;
    remainder = value < 10 ? (remainder * 10 + value) % 97 : (remainder * 100 + value) % 97;
  }
  return remainder === 1;
}

/** 0-9 for digits, 10-35 for letters of either case, -1 otherwise. */
function alphanumericValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return code - 55;
  if (code >= 97 && code <= 122) return code - 87;
  return -1;
}
