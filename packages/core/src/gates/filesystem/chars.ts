/** Character classes shared by the three detectors of the filesystem gate. */
import { isSpaceOrZeroWidth } from '../../text/chars.js';


export const BACKSLASH = 0x5c;
export const SLASH = 0x2f;
export const DOT = 0x2e;

/** Whitespace or zero-width (text/chars.ts) separates arguments. */
export const isSpace = isSpaceOrZeroWidth;

export function isQuote(c: number): boolean {
  return c === 0x22 || c === 0x27 || c === 0x60;
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

export function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Characters that glue a path to whatever precedes it: a name, a variable, a host, another path. A path that starts
 * right after one of these is relative to something (`foo/etc`, `${PREFIX}/etc`, `example.com/etc`), not absolute.
 * Non-ASCII letters glue too (`é/etc`), non-ASCII spaces do not.
 */
const PATH_GLUE = new Set([..."_-.~/\\%$+@})]*"].map((ch) => ch.charCodeAt(0)));

export function isPathGlue(c: number): boolean {
  if (c < 0x80) return isAsciiAlnum(c) || PATH_GLUE.has(c);
  return !isSpace(c);
}

/** Characters that may continue a file or directory name: `/etcetera`, `/var-lib`, `/etc_old` are other names. */
const NAME_CHAR = new Set([..."_-~$%+@"].map((ch) => ch.charCodeAt(0)));

export function isNameChar(c: number): boolean {
  if (c < 0x80) return isAsciiAlnum(c) || NAME_CHAR.has(c);
  return !isSpace(c);
}

/**
 * True when `text[i]` is preceded by a JSON/C escape for whitespace (`\n`, `\r`, `\t`): outputs often carry
 * serialized JSON (tool-call arguments), where a command on its own line reads `…\nrm -rf /`.
 */
export function followsEscapedSpace(text: string, i: number): boolean {
  if (i < 2 || text.charCodeAt(i - 2) !== BACKSLASH) return false;
  const c = text.charCodeAt(i - 1);
  return c === 0x6e || c === 0x72 || c === 0x74;
}

/** True when a path starting at `text[i]` stands on its own rather than continuing a name, host or variable. */
export function startsPath(text: string, i: number): boolean {
  return i === 0 || !isPathGlue(text.charCodeAt(i - 1)) || followsEscapedSpace(text, i);
}

/** True when the component that ends just before `text[j]` is complete (`/etc` in `/etc/x` but not `/etcx`). */
export function endsComponent(text: string, j: number): boolean {
  if (j >= text.length) return true;
  const c = text.charCodeAt(j);
  if (c === SLASH || c === BACKSLASH) return true;
  // A dot ends the component only as sentence punctuation ("look in /etc."), not as an extension (`/etc.bak`).
  if (c === DOT) return j + 1 >= text.length || !isPathGlue(text.charCodeAt(j + 1));
  return !isNameChar(c);
}

