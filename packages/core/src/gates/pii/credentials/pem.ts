/**
 * PEM private-key blocks of any algorithm (RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP … BLOCK). The header alone is not
 * a secret: documentation shows `-----BEGIN RSA PRIVATE KEY-----` followed by `...` or `<your key>`. A block counts
 * when random base64 key material follows the header.
 */
import { BASE64, classAt } from './chars.js';
import { looksRandom } from './randomness.js';

/** No nested quantifier: one bounded class run before a literal, on a slice of bounded length. */
const HEADER = /^-----BEGIN [A-Z0-9 _-]{0,40}PRIVATE KEY(?: BLOCK)?-----/;
const HEADER_WINDOW = 80;
/** How far the key material is read; an RSA-4096 key is about 3.3 KB of base64. */
const MAX_BODY = 16_384;
/** Base64 characters of key material needed: the shortest real keys (Ed25519 PKCS#8) carry about 64. */
const MIN_KEY_CHARS = 64;
/** A line of this many base64 characters is long enough to judge randomness on. */
const MIN_LINE = 40;
/** Random base64 carries about 6 bits per character; text and `AAAA…` padding far less. */
const MIN_LINE_ENTROPY = 4;

export function pemHeaderEnd(text: string, start: number): number {
  const match = HEADER.exec(text.slice(start, start + HEADER_WINDOW));
  return match === null ? -1 : start + match[0].length;
}

/**
 * Reads the key material after the header: base64 lines, skipping `Name: value` header lines (Proc-Type, DEK-Info,
 * Version, Comment) and escaped newlines, up to the END line or the first other character. Returns whether it holds
 * enough random key material, and where the reading stopped (through `stop`).
 */
export function pemBodyIsKey(text: string, from: number, stop: { at: number }): boolean {
  const limit = Math.min(text.length, from + MAX_BODY);
  let keyChars = 0;
  let lineStart = -1;
  let randomLine = false;
  let i = from;
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if ((classAt(text, i) & BASE64) !== 0) {
      if (lineStart < 0) lineStart = i;
      keyChars++;
      continue;
    }
    if (lineStart >= 0 && !randomLine && i - lineStart >= MIN_LINE) randomLine = looksRandom(text, lineStart, i, MIN_LINE_ENTROPY);
    lineStart = -1;
    if (c === 10 || c === 13 || c === 32 || c === 9 || c === 92 /* \ of an escaped newline */) continue;
    if (c === 58 /* : of a header line */) {
      keyChars = 0;
      while (i < limit && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    break;
  }
  if (lineStart >= 0 && !randomLine && i - lineStart >= MIN_LINE) randomLine = looksRandom(text, lineStart, i, MIN_LINE_ENTROPY);
  stop.at = i;
  return keyChars >= MIN_KEY_CHARS && randomLine;
}
