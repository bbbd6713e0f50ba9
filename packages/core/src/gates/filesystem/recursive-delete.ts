/** recursiveDelete: find a command word, then read its arguments token by token up to the end of the command. */
import { BACKSLASH, DOT, followsEscapedSpace, isAsciiLetter, isPathGlue, isSpace, SLASH } from './chars.js';


const POSIX_DELETE = 1; // rm, Remove-Item: dash options
const WINDOWS_DELETE = 2; // rmdir, rd, del, erase: slash options (cmd.exe) or dash options (PowerShell aliases)
const FIND = 3; // find … -delete

/**
 * Candidate command words. The literal comes first so that the engine can skip ahead cheaply; the lookbehind then
 * rejects words glued to something before them ("perform", "x-rm", "file.rm") but accepts a path (`/bin/rm`), an
 * alias escape (`\rm`), markdown emphasis (`**rm`) and an escaped newline of serialized JSON (`\nrm`). `rmdir`
 * precedes `rm` so that the longer word wins. Case-insensitive because PowerShell and cmd.exe are.
 */
const COMMAND_WORDS = 'rmdir|rm|rd|del|erase|remove-item|find';
const COMMAND_WORD = new RegExp(
  String.raw`(?:${COMMAND_WORDS})(?<=(?:^|[^A-Za-z0-9_.~%$+@})\]-]|\\[ntr])(?:${COMMAND_WORDS}))`,
  'gi',
);

/**
 * How many arguments after a command word are read before giving up. Real deletes put their options within a few
 * words; prose that merely names `rm` or "find" should not collect a stray `-f` half a paragraph later.
 */
const MAX_COMMAND_TOKENS = 24;

// How each ASCII character acts inside a command line.
const TOKEN = 0;
const SEPARATOR = 1; // whitespace, quotes, commas, brackets, braces: between arguments
const TERMINATOR = 2; // ; & | ` < >: the command ends
const CONTEXTUAL = 3; // newline, parentheses, backslash: depends on the neighbour
const CHAR_ROLE = new Uint8Array(128);
for (const ch of ' \t\v\f"\',[]{}') CHAR_ROLE[ch.charCodeAt(0)] = SEPARATOR;
for (const ch of ';&|`<>') CHAR_ROLE[ch.charCodeAt(0)] = TERMINATOR;
for (const ch of '\n\r()\\') CHAR_ROLE[ch.charCodeAt(0)] = CONTEXTUAL;

/** The short options of GNU/BSD `rm`; a dash word with any other letter is not an `rm` option cluster. */
const RM_SHORT_OPTIONS = new Set([...'fiIrRdv'].map((ch) => ch.charCodeAt(0)));

interface DeleteScan {
  kind: number;
  recursive: boolean;
  force: boolean;
  optionsEnded: boolean;
  tokens: number;
}

export function newDeleteScan(): DeleteScan {
  return { kind: 0, recursive: false, force: false, optionsEnded: false, tokens: 0 };
}

function startCommand(scan: DeleteScan, kind: number): void {
  scan.kind = kind;
  scan.recursive = false;
  scan.force = false;
  scan.optionsEnded = false;
  scan.tokens = 0;
}

/**
 * Looks for a recursive delete in `text`. `scan` carries an unfinished command over to the next string of the same
 * output, so that an argv array (`["rm", "-rf", "/"]`) reads as one command.
 */
export function containsRecursiveDelete(text: string, scan: DeleteScan): boolean {
  if (scan.kind === 0 && text.length < 2) return false;
  let from = 0;
  if (scan.kind !== 0) {
    from = readArguments(text, 0, scan);
    if (from === FOUND) return true;
  }
  if (from >= text.length) return false;
  COMMAND_WORD.lastIndex = from;
  for (let match = COMMAND_WORD.exec(text); match !== null; match = COMMAND_WORD.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    if (!endsArgument(text, end) || !startsCommand(text, start)) continue;
    startCommand(scan, commandKind(text, start, end));
    const stop = readArguments(text, end, scan);
    if (stop === FOUND) return true;
    // Resuming after the arguments keeps the scan linear; a command word among them was handled by readArguments.
    COMMAND_WORD.lastIndex = stop;
  }
  return false;
}

/**
 * A command word may follow a shell operator, a quote, a space, markdown emphasis (`**rm -rf /**`), a path
 * (`/bin/rm`) or an alias escape (`\rm`).
 */
export function startsCommand(text: string, i: number): boolean {
  if (i === 0) return true;
  const c = text.charCodeAt(i - 1);
  return c === SLASH || c === BACKSLASH || c === 0x2a || !isPathGlue(c) || followsEscapedSpace(text, i);
}

function endsArgument(text: string, i: number): boolean {
  return i >= text.length || roleAt(text, i) !== TOKEN;
}

/** The role of `text[i]` (TOKEN, SEPARATOR or TERMINATOR), with its neighbours taken into account. */
function roleAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0x80) return isSpace(c) ? SEPARATOR : TOKEN;
  const role = CHAR_ROLE[c]!;
  if (role !== CONTEXTUAL) return role;
  if (c === BACKSLASH) {
    const next = text.charCodeAt(i + 1);
    // Escapes of serialized JSON: \n and \r end the line, \t \" \' separate arguments.
    if (next === 0x6e || next === 0x72) return TERMINATOR;
    return next === 0x74 || next === 0x22 || next === 0x27 ? SEPARATOR : TOKEN;
  }
  // `\` before a newline continues the command; `\(` and `\)` are find's grouping operators, not subshells.
  if (i > 0 && text.charCodeAt(i - 1) === BACKSLASH) return c === 0x0a || c === 0x0d ? SEPARATOR : TOKEN;
  return TERMINATOR;
}

/** Characters taken by the separator or terminator at `text[i]`: escapes of serialized JSON take two. */
function roleLength(text: string, i: number): number {
  return text.charCodeAt(i) === BACKSLASH ? 2 : 1;
}

const FOUND = -1;

/**
 * Reads the arguments of the command in `scan` from `text[i]`. Returns FOUND when the command is a recursive
 * delete, the position where the command ended (its state reset), or `text.length` when the string ran out first.
 */
function readArguments(text: string, i: number, scan: DeleteScan): number {
  const length = text.length;
  while (i < length) {
    const role = roleAt(text, i);
    if (role === TERMINATOR) {
      scan.kind = 0;
      return i + roleLength(text, i);
    }
    if (role === SEPARATOR) {
      i += roleLength(text, i);
      continue;
    }
    const end = tokenEnd(text, i + 1);
    const verdict = readArgument(text, i, end, scan);
    if (verdict === FOUND) return FOUND;
    if (verdict === ARGUMENT_ENDS_COMMAND) {
      scan.kind = 0;
      return end;
    }
    i = end;
  }
  return length;
}

/** The end of the argument that continues at `text[j]`; the table lookup keeps this inner loop cheap. */
function tokenEnd(text: string, j: number): number {
  const length = text.length;
  for (; j < length; j++) {
    const c = text.charCodeAt(j);
    const role = c < 0x80 ? CHAR_ROLE[c]! : isSpace(c) ? SEPARATOR : TOKEN;
    if (role !== TOKEN && (role !== CONTEXTUAL || roleAt(text, j) !== TOKEN)) return j;
  }
  return length;
}

const ARGUMENT_READ = 0;
const ARGUMENT_ENDS_COMMAND = 1;

function readArgument(text: string, start: number, end: number, scan: DeleteScan): number {
  // Sentence punctuation glued to a word ("rm -rf build.") ends the command: prose moves on after it.
  let wordEnd = end;
  while (wordEnd > start && isSentencePunctuation(text.charCodeAt(wordEnd - 1))) wordEnd--;
  let endsSentence = wordEnd < end;
  if (wordEnd === start && isAllDots(text, start, end)) {
    wordEnd = end; // `.` and `..` are directories
    endsSentence = false;
  }
  const nested = nestedCommandKind(text, start, wordEnd);
  if (nested !== 0) {
    startCommand(scan, nested); // `sudo find . -exec rm -rf {} +`: the inner command is the one that deletes
  } else {
    if (++scan.tokens > MAX_COMMAND_TOKENS) return ARGUMENT_ENDS_COMMAND;
    readOption(text, start, wordEnd, scan);
    if (scan.recursive && scan.force) return FOUND;
  }
  return endsSentence ? ARGUMENT_ENDS_COMMAND : ARGUMENT_READ;
}

function isSentencePunctuation(c: number): boolean {
  return c === DOT || c === 0x21 || c === 0x3f || c === 0x3a; // . ! ? :
}

function isAllDots(text: string, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (text.charCodeAt(k) !== DOT) return false;
  return true;
}

/** The delete command an argument names, also by path (`/usr/bin/rm`) or alias escape (`\rm`), or 0. */
function nestedCommandKind(text: string, start: number, end: number): number {
  const kind = commandKind(text, start, end);
  if (kind !== 0) return kind;
  for (const length of COMMAND_LENGTHS) {
    const base = end - length;
    if (base <= start) break;
    const c = text.charCodeAt(base - 1);
    if (c === SLASH || c === BACKSLASH) return commandKind(text, base, end);
  }
  return 0;
}

const COMMAND_LENGTHS = [2, 3, 4, 5, 11];

/** The kind of delete command `text[start..end)` names (case-insensitively), or 0. Allocates nothing. */
function commandKind(text: string, start: number, end: number): number {
  switch (end - start) {
    case 2:
      return matchesFolded(text, start, 'rm') ? POSIX_DELETE : matchesFolded(text, start, 'rd') ? WINDOWS_DELETE : 0;
    case 3:
      return matchesFolded(text, start, 'del') ? WINDOWS_DELETE : 0;
    case 4:
      return matchesFolded(text, start, 'find') ? FIND : 0;
    case 5:
      return matchesFolded(text, start, 'rmdir') || matchesFolded(text, start, 'erase') ? WINDOWS_DELETE : 0;
    case 11:
      return matchesFolded(text, start, 'remove-item') ? POSIX_DELETE : 0;
    default:
      return 0;
  }
}

/** `text` holds the lower-case ASCII `word` at `start`, ignoring case. */
function matchesFolded(text: string, start: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) {
    const c = text.charCodeAt(start + k);
    const folded = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    if (folded !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** `text` holds a non-empty prefix of `word` at `start..end`, ignoring case when `fold` is set. */
function isPrefixOf(text: string, start: number, end: number, word: string, fold: boolean): boolean {
  const n = end - start;
  if (n === 0 || n > word.length) return false;
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(start + k);
    const folded = fold && c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    if (folded !== word.charCodeAt(k)) return false;
  }
  return true;
}

function readOption(text: string, start: number, end: number, scan: DeleteScan): void {
  if (scan.kind === FIND) {
    if (end - start === 7 && text.startsWith('-delete', start)) scan.recursive = scan.force = true;
    return;
  }
  if (scan.optionsEnded || end - start < 2) return;
  const first = text.charCodeAt(start);
  if (first === 0x2d) {
    if (text.charCodeAt(start + 1) !== 0x2d) readDashOption(text, start + 1, end, scan);
    else if (end - start === 2) scan.optionsEnded = scan.kind === POSIX_DELETE; // `--` ends rm's options
    else readLongOption(text, start + 2, end, scan);
  } else if (first === SLASH && scan.kind === WINDOWS_DELETE) {
    readSlashOptions(text, start, end, scan);
  }
}

/** GNU accepts any unambiguous prefix of a long option: `--rec`, `--forc`. */
function readLongOption(text: string, start: number, end: number, scan: DeleteScan): void {
  if (isPrefixOf(text, start, end, 'recursive', false)) scan.recursive = true;
  else if (isPrefixOf(text, start, end, 'force', false)) scan.force = true;
}

/** `-rf`, `-vRf` (an `rm` cluster) or PowerShell's case-insensitive, abbreviable `-Recurse` and `-Force`. */
function readDashOption(text: string, start: number, end: number, scan: DeleteScan): void {
  for (let k = start; k < end; k++) if (!isAsciiLetter(text.charCodeAt(k))) return;
  if (end - start >= 2 && isPrefixOf(text, start, end, 'recurse', true)) {
    scan.recursive = true;
    return;
  }
  if (end - start >= 2 && isPrefixOf(text, start, end, 'force', true)) {
    scan.force = true;
    return;
  }
  for (let k = start; k < end; k++) if (!RM_SHORT_OPTIONS.has(text.charCodeAt(k))) return;
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x72 || c === 0x52) scan.recursive = true; // r R
    else if (c === 0x66) scan.force = true; // f
  }
}

/** cmd.exe switches, alone or glued: `/s /q`, `/S/Q`. `/s` recurses, `/q` skips the confirmation. */
function readSlashOptions(text: string, start: number, end: number, scan: DeleteScan): void {
  if ((end - start) % 2 !== 0) return;
  for (let k = start; k < end; k += 2) {
    if (text.charCodeAt(k) !== SLASH || !isAsciiLetter(text.charCodeAt(k + 1))) return;
  }
  for (let k = start + 1; k < end; k += 2) {
    const c = text.charCodeAt(k) | 0x20;
    if (c === 0x73) scan.recursive = true; // s
    else if (c === 0x71) scan.force = true; // q
  }
}

