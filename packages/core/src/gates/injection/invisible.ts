/**
 * Characters a human reader does not see but a model reads: the Unicode tag block (U+E0000–E007F, which can spell
 * out a whole hidden instruction), runs of zero-width characters (hidden binary encodings) or zero-width characters
 * splitting ordinary words, and bidirectional overrides and isolates (text displayed in another order than it is
 * read, as in "Trojan Source").
 *
 * Allowed: the tag characters of a subdivision flag emoji (🏴 followed by a short tag run), a single zero-width
 * joiner inside an emoji sequence, a byte-order mark at the start. One pass over the code units.
 */
import { isZeroWidth } from '../../text/chars.js';
import type { Finding } from './kinds.js';

/** A zero-width run at least this long is an encoding, not an accident. */
export const ZERO_WIDTH_RUN = 3;
/** Zero-width characters between two ASCII letters (word splitting) counted across the text. */
export const SPLIT_WORDS = 3;
/** Tag characters after a black flag (U+1F3F4) that still spell a subdivision flag (gbeng + cancel tag). */
const FLAG_TAGS = 7;

function isBidiControl(code: number): boolean {
  return (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

function isAsciiLetter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
}

/** True when the code units at `i` are a tag character (U+E0000–E007F as a surrogate pair). */
function isTagAt(text: string, i: number): boolean {
  if (text.charCodeAt(i) !== 0xdb40) return false;
  const low = text.charCodeAt(i + 1);
  return low >= 0xdc00 && low <= 0xdc7f;
}

function afterBlackFlag(text: string, i: number): boolean {
  return text.charCodeAt(i - 2) === 0xd83c && text.charCodeAt(i - 1) === 0xdff4;
}

export function findInvisible(text: string, out: Finding[]): void {
  let tags = false;
  let zeroWidthRun = false;
  let splits = 0;
  let bidi = false;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Below U+180E no character is invisible in the sense of this file: the common case costs one comparison.
    if (code < 0x180e) {
      run = 0;
      continue;
    }
    if (code === 0xdb40 && isTagAt(text, i)) {
      const start = i;
      while (isTagAt(text, i)) i += 2;
      if (!(afterBlackFlag(text, start) && (i - start) / 2 <= FLAG_TAGS)) tags = true;
      i--;
      run = 0;
      continue;
    }
    if (isZeroWidth(code) && !(code === 0xfeff && i === 0)) {
      run++;
      if (run >= ZERO_WIDTH_RUN) zeroWidthRun = true;
      if (run === 1 && isAsciiLetter(text.charCodeAt(i - 1)) && isAsciiLetter(text.charCodeAt(i + 1))) splits++;
      continue;
    }
    run = 0;
    if (isBidiControl(code)) bidi = true;
  }
  if (tags) out.push({ kind: 'invisible', rule: 'unicode-tags', weight: 1 });
  if (zeroWidthRun || splits >= SPLIT_WORDS) out.push({ kind: 'invisible', rule: 'zero-width', weight: 1 });
  if (bidi) out.push({ kind: 'invisible', rule: 'bidi-control', weight: 1 });
}
