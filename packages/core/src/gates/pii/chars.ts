/** Character-class tests on UTF-16 code units; hand-written so that scanners never need a backtracking regex. */
import { isSpaceOrZeroWidth } from '../../text/chars.js';

export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

export function isAsciiAlphanumeric(code: number): boolean {
  return isDigit(code) || isAsciiLetter(code);
}

export function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

/**
 * Letters, digits and underscore, plus any non-ASCII code unit except the common Unicode spaces: a number glued to
 * one of these is part of a larger token (an id, a word, a version like v1.2) rather than a value of its own.
 * NaN (reading past either end of the text) counts as a boundary.
 */
export function isWordCode(code: number): boolean {
  if (isAsciiAlphanumeric(code) || code === 95) return true;
  return code >= 0x80 && !isUnicodeSpace(code);
}

/** Whitespace or zero-width (text/chars.ts): never part of a token. */
export function isUnicodeSpace(code: number): boolean {
  return isSpaceOrZeroWidth(code);
}
