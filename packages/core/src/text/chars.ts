/**
 * The text primitives every gate reads by: what is whitespace, what breaks a line, and what is present but invisible.
 * One definition, so that two gates never read the same text differently (a zero-width space inside a word, a NEL
 * between two lines). All take one UTF-16 code unit.
 */

/** Unicode's White_Space property: ASCII tab to carriage return and space, NEL, NBSP, and the Unicode spaces. */
export function isWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Line feed, vertical tab, form feed, carriage return, NEL, line and paragraph separators. */
export function isLineBreak(code: number): boolean {
  return (code >= 0x0a && code <= 0x0d) || code === 0x85 || code === 0x2028 || code === 0x2029;
}

/**
 * Characters with no width that sit inside words without showing: zero-width space, non-joiner and joiner, word
 * joiner, BOM (zero-width no-break space), Mongolian vowel separator. Text readers skip them, so "ig\u200Bnore" reads
 * as "ignore"; they never separate words.
 */
export function isZeroWidth(code: number): boolean {
  return code === 0x200b || code === 0x200c || code === 0x200d || code === 0x2060 || code === 0xfeff || code === 0x180e;
}

/** Whitespace or zero-width: where a token cannot continue as far as what is shown is concerned. */
export function isSpaceOrZeroWidth(code: number): boolean {
  return isWhitespace(code) || isZeroWidth(code);
}

/**
 * Code units that render as nothing at all: every C0/C1 control, whitespace, zero-width characters, direction marks
 * and embeddings, invisible operators, soft hyphen, combining grapheme joiner, Mongolian and variation selectors,
 * Hangul fillers, Braille blank, Khmer inherent vowels. (Tag characters, U+E0000–E007F, are astral: callers check the
 * surrogate pair.)
 */
export function isInvisible(code: number): boolean {
  if (code <= 0x20) return true;
  if (code < 0x7f) return false;
  return (
    code <= 0xa0 ||
    code === 0xad ||
    code === 0x34f ||
    code === 0x115f ||
    code === 0x1160 ||
    code === 0x1680 ||
    code === 0x17b4 ||
    code === 0x17b5 ||
    (code >= 0x180b && code <= 0x180e) ||
    (code >= 0x2000 && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202f) ||
    (code >= 0x205f && code <= 0x206f) ||
    code === 0x2800 ||
    code === 0x3000 ||
    code === 0x3164 ||
    (code >= 0xfe00 && code <= 0xfe0f) ||
    code === 0xfeff ||
    code === 0xffa0
  );
}
