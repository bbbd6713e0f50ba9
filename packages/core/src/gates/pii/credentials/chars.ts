/**
 * Character classes of token bodies as bit flags in one ASCII table: a body run is read with one table lookup
 * per character (a regex or a predicate call per character would dominate the cost of the scan).
 */
export const DIGIT = 1;
export const UPPER = 2;
export const LOWER = 4;
export const UNDERSCORE = 8;
export const DASH = 16;
/** `.`, `~` and `+`: joined into candidate tokens (`sha256~…`, `SG.…`, `t1.…`). */
export const JOINER = 32;
/** `/` and `+` of base64. */
export const BASE64_EXTRA = 64;
/** `=`: base64 padding, and the assignment operator (so never part of a value read across an operator). */
export const EQUALS = 1024;
/** Lower-case hexadecimal letters a-f (digits are DIGIT). */
export const HEX_LOWER = 128;
/** Upper-case hexadecimal letters A-F. */
export const HEX_UPPER = 256;
/** `%`, `!`, `@`, `#`, `$`, `^`, `&`, `*`, `?`, `~`: what a password may hold besides letters and digits. */
export const SYMBOL = 512;

export const ALNUM = DIGIT | UPPER | LOWER;
export const WORD = ALNUM | UNDERSCORE;
export const WORD_DASH = WORD | DASH;
/** Characters of a candidate token: where a vendor prefix or a secret-named key can start and end. */
export const SCAN = WORD_DASH | JOINER;
export const BASE64 = ALNUM | BASE64_EXTRA | EQUALS;
export const HEX = DIGIT | HEX_LOWER | HEX_UPPER;

const TABLE = new Uint16Array(128);
for (let c = 48; c <= 57; c++) TABLE[c] = DIGIT;
for (let c = 65; c <= 90; c++) TABLE[c] = UPPER | (c <= 70 ? HEX_UPPER : 0);
for (let c = 97; c <= 122; c++) TABLE[c] = LOWER | (c <= 102 ? HEX_LOWER : 0);
TABLE[95] = UNDERSCORE;
TABLE[45] = DASH;
for (const ch of '.~+') TABLE[ch.charCodeAt(0)] = JOINER;
TABLE['/'.charCodeAt(0)] = BASE64_EXTRA;
TABLE['='.charCodeAt(0)] = EQUALS;
for (const ch of '%!@#$^&*?~') TABLE[ch.charCodeAt(0)]! |= SYMBOL;
TABLE['+'.charCodeAt(0)]! |= BASE64_EXTRA;

/** The class bits of the code unit at `at` (0 past the end and outside ASCII). */
export function classAt(text: string, at: number): number {
  const c = text.charCodeAt(at);
  return c < 128 ? TABLE[c]! : 0;
}

export function isClass(text: string, at: number, mask: number): boolean {
  const c = text.charCodeAt(at);
  return c < 128 && (TABLE[c]! & mask) !== 0;
}

/** End of the run of `mask` characters from `start`, reading at most `max + 1` of them. */
export function runEnd(text: string, start: number, mask: number, max: number): number {
  const limit = Math.min(text.length, start + max + 1);
  let end = start;
  while (end < limit) {
    const c = text.charCodeAt(end);
    if (c >= 128 || (TABLE[c]! & mask) === 0) break;
    end++;
  }
  return end;
}

/** Whether every code unit in [start, end) belongs to `mask`. */
export function allOfClass(text: string, start: number, end: number, mask: number): boolean {
  return runEnd(text, start, mask, end - start) >= end;
}
