/** pathTraversal: `..` components that escape toward something. */
import { BACKSLASH, DOT, endsComponent, isQuote, isSpace, SLASH, startsPath } from './chars.js';
import { startsCommand } from './recursive-delete.js';


// Only consulted when the text holds a '%': a dot or separator may then be percent-encoded, once or twice.
const ENCODED_DOT = String.raw`(?:\.|%(?:25)?2e)`;
const ENCODED_SEPARATOR = String.raw`(?:[/\\]|%(?:25)?(?:2f|5c))`;
const ENCODED_TRAVERSAL = new RegExp(
  String.raw`(?:^|[^A-Za-z0-9_~.%-])${ENCODED_DOT}{2}${ENCODED_SEPARATOR}` +
    String.raw`|${ENCODED_SEPARATOR}${ENCODED_DOT}{2}(?:$|${ENCODED_SEPARATOR}|[\s"'?#&;,)\]])`,
  'i',
);

export function containsPathTraversal(text: string): boolean {
  let i = text.indexOf('..');
  while (i !== -1) {
    let end = i + 2;
    if (end < text.length && text.charCodeAt(end) === DOT) {
      // Three or more dots are an ellipsis or a spread, never a parent directory: skip the whole run at once.
      while (end < text.length && text.charCodeAt(end) === DOT) end++;
    } else if (isParentComponent(text, i)) {
      return true;
    }
    i = text.indexOf('..', end);
  }
  return text.includes('%') && ENCODED_TRAVERSAL.test(text);
}

/** `text[i..i+2]` is exactly two dots (the caller checked the following character is not a dot). */
function isParentComponent(text: string, i: number): boolean {
  const before = i > 0 ? text.charCodeAt(i - 1) : -1;
  const after = i + 2 < text.length ? text.charCodeAt(i + 2) : -1;
  if (before === SLASH || before === BACKSLASH) return endsComponent(text, i + 2); // x/.. and x/../y, not x/..y
  if (after === SLASH || after === BACKSLASH) return startsPath(text, i); // ../x but not name../x
  return isLoneParent(text, i, before, after);
}

/**
 * `..` with no separator on either side is a path only when it is the whole value, quoted, an option value
 * (`--dir=..`) or the argument of `cd`; between spaces in prose ("well .. maybe") it is punctuation.
 */
function isLoneParent(text: string, i: number, before: number, after: number): boolean {
  const openedBySpace = before !== -1 && isSpace(before);
  const closedBySpace = after !== -1 && isSpace(after);
  if (!openedBySpace && before !== -1 && !isQuote(before) && before !== 0x3d) return false; // 0x3d: =
  if (!closedBySpace && after !== -1 && !isQuote(after)) return false;
  if (!openedBySpace && !closedBySpace) return true; // "..", '..', `..` or the whole string
  if (openedBySpace && followsCd(text, i)) return true;
  // The whole value padded with spaces. The tail test goes first: it can hold for one candidate only, which keeps
  // the head test (a scan from the start) from running once per candidate.
  return onlySpacesBetween(text, i + 2, text.length) && onlySpacesBetween(text, 0, i);
}

function onlySpacesBetween(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (!isSpace(text.charCodeAt(k))) return false;
  return true;
}

/** `cd ..`: the word before the spaces preceding `text[i]` is `cd`, itself standing as a command word. */
function followsCd(text: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && isSpace(text.charCodeAt(k))) k--;
  if (k < 1 || text.charCodeAt(k) !== 0x64 || text.charCodeAt(k - 1) !== 0x63) return false; // "cd"
  return startsCommand(text, k - 1);
}

