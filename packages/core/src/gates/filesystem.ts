import type { Gate, GateOptions } from '../types.js';
import { assertOptionsObject, booleanOption, gateName } from './options.js';
import { walkStrings } from './walk.js';
import { warmUp } from './warm-up.js';
import { meterOf } from '../budget.js';
import { markSignalFree } from '../signal-free.js';
import { isSpaceOrZeroWidth } from '../text/chars.js';

/**
 * The `filesystem` gate (docs/sdk.md, Built-in gates): fails when an output carries a destructive recursive delete, a `..` path
 * component or a sensitive location. Every detector is a single left-to-right pass (a literal pre-filter, then a
 * bounded look around each hit), so a 1 MB hostile string costs milliseconds, never a hang.
 *
 * What each family claims, and what it deliberately leaves alone:
 *
 * `recursiveDelete` — a delete that is both recursive and non-interactive:
 *   - `rm` (also `/bin/rm`, `\rm`, after `sudo`/`xargs`/`;`/`&&`/`|`/`$(`/backticks/newlines, inside quotes, JSON
 *     strings, escaped JSON and argv arrays such as `["rm", "-rf", "/"]`) with recursive (`-r`, `-R`, `--recursive`)
 *     and force (`-f`, `--force`) in any clustering or order, GNU long-option abbreviations (`--rec`, `--forc`) and
 *     options after operands (GNU permutes them). `--` ends the options, as it does for `rm`.
 *     `rm -r` without force does not count: the gate is documented (docs/sdk.md) as recursive + force, and `rm -r` alone is a very
 *     common, legitimate instruction.
 *   - PowerShell `Remove-Item`/`rm`/`del`/`rmdir` with `-Recurse` and `-Force` (and their abbreviations `-r`, `-fo`).
 *   - cmd.exe `rmdir`/`rd`/`del`/`erase` with `/s` and `/q` (quiet = no confirmation).
 *   - `find … -delete` (recursive by nature, never asks), also `find … -exec rm -rf {} +`.
 *   Not claimed: `shred` (not recursive), `git clean`, `rsync --delete`, library calls (`shutil.rmtree`,
 *   `fs.rmSync(…, { recursive: true })`) — code that merely contains them is everyday agent output, so flagging it
 *   would mostly raise false alarms. `rm` must stand as its own word ("perform -rf", "charm -r -f" pass) and
 *   `-F` is not force (it is not an `rm` option).
 *
 * `pathTraversal` — `..` as a whole path component: `../`, `..\`, `/..` or `\..` at the end of a path, `..` alone
 *   as an entire string value or between quotes (`".."`), `cd ..`, and URL-encoded forms (`%2e%2e%2f`, `..%2f`,
 *   `%2e%2e/`, `..%5c`, double-encoded `%252e%252e%252f`). Not claimed: runs of three or more dots ("Loading...",
 *   `...args`, `.../`), `..` glued to a word or number (`1..10`, `main..feature`, "wait..", `1.2..3`), and `..`
 *   between spaces in prose ("so .. anyway"), which cannot be told apart from a shell argument without a parser.
 *
 * `sensitivePaths` — `/etc`, `/usr`, `/var` as the start of an absolute path (also `file:///etc`), and `.ssh`,
 *   `.aws`, `.gnupg` directly under a home directory: `~`, `~alice`, `$HOME`, `${HOME}`, `%USERPROFILE%`, `/root`,
 *   `/home/<user>`, `/Users/<user>`, `C:\Users\<user>`. The path must end at a component boundary (`/etc`,
 *   `/etc/passwd`, "in /etc." yes; `/etcetera`, `/var-lib`, `/etc.bak` no). Not claimed: "etc." in prose; a URL's
 *   path (`https://example.com/etc/x`: the host glued in front rules it out); relative paths (`foo/etc`, `./.ssh`,
 *   `${PREFIX}/etc`, `../../etc/passwd`, which is pathTraversal's); a `.ssh` deeper than the home directory
 *   (`/home/a/b/.ssh`); the `/usr/bin/env` of a `#!` line; Windows system folders.
 *   `extraSensitivePaths` adds absolute prefixes (`/opt/secrets`) or home-relative ones (`~/.kube`).
 *
 * An unfinished command carries over to the next string of the output, so that argv arrays
 * (`{ cmd: "rm", args: ["-r", "-f", "/"] }`) count; reasons name the families, never the matched text.
 */

export type FilesystemFamily = 'recursiveDelete' | 'pathTraversal' | 'sensitivePaths';

export interface FilesystemOptions extends GateOptions {
  /** Fail on destructive recursive deletes (`rm -rf` and friends). Default true. */
  recursiveDelete?: boolean;
  /** Fail on `..` used as a path component. Default true. */
  pathTraversal?: boolean;
  /** Fail on sensitive locations (`/etc`, `/usr`, `/var`, `~/.ssh`, `~/.aws`, `~/.gnupg`). Default true. */
  sensitivePaths?: boolean;
  /**
   * More sensitive locations, each an absolute path (`/opt/secrets`) or a home-relative one (`~/.kube`, matched
   * under every home-directory spelling). Matched as whole path components. Requires `sensitivePaths`.
   */
  extraSensitivePaths?: readonly string[];
}

export const MAX_EXTRA_SENSITIVE_PATHS = 64;
export const MAX_SENSITIVE_PATH_LENGTH = 256;

const FAMILY_ORDER: readonly FilesystemFamily[] = ['recursiveDelete', 'pathTraversal', 'sensitivePaths'];
const FAMILY_LABEL: Readonly<Record<FilesystemFamily, string>> = {
  recursiveDelete: 'destructive recursive delete',
  pathTraversal: 'path traversal (..)',
  sensitivePaths: 'sensitive path',
};
const KNOWN_OPTIONS = new Set(['name', 'recursiveDelete', 'pathTraversal', 'sensitivePaths', 'extraSensitivePaths']);

/** Findings and clean text of the kinds this gate reads, run once at start-up (see warm-up.ts). */
const FILESYSTEM_WARM_UP: readonly unknown[] = [
  'sudo rm -rf / --no-preserve-root && cat ../../../etc/passwd > ~/.ssh/authorized_keys',
  'See [the docs](./docs/api.md) and run `npm test` in the project folder.',
];

export function filesystem(options?: FilesystemOptions): Gate {
  assertOptionsObject(options, 'filesystem');
  for (const key of Object.keys(options ?? {})) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`filesystem: unknown option "${key}"`);
  }
  const name = gateName(options, 'filesystem');
  const enabled: Record<FilesystemFamily, boolean> = {
    recursiveDelete: booleanOption(options?.recursiveDelete, true, 'filesystem: recursiveDelete'),
    pathTraversal: booleanOption(options?.pathTraversal, true, 'filesystem: pathTraversal'),
    sensitivePaths: booleanOption(options?.sensitivePaths, true, 'filesystem: sensitivePaths'),
  };
  const extras = parseExtraSensitivePaths(options?.extraSensitivePaths);
  if (extras.length > 0 && !enabled.sensitivePaths) {
    throw new TypeError('filesystem: extraSensitivePaths needs sensitivePaths enabled');
  }
  const families = FAMILY_ORDER.filter((family) => enabled[family]);
  if (families.length === 0) throw new TypeError('filesystem: at least one check must be enabled');
  const sensitive = compileSensitivePaths([...DEFAULT_SENSITIVE_PATHS, ...extras]);

  return warmUp(
    `filesystem:${families.join(',')}`,
    markSignalFree({
      name,
      run(ctx, _signal, budget) {
        const found = new Set<FilesystemFamily>();
        const deleteScan = newDeleteScan();
        const meter = meterOf(budget);
        walkStrings(ctx.output, (text) => {
          if (enabled.recursiveDelete && !found.has('recursiveDelete') && containsRecursiveDelete(text, deleteScan)) {
            found.add('recursiveDelete');
          }
          if (enabled.pathTraversal && !found.has('pathTraversal') && containsPathTraversal(text)) {
            found.add('pathTraversal');
          }
          if (enabled.sensitivePaths && !found.has('sensitivePaths') && containsSensitivePath(text, sensitive)) {
            found.add('sensitivePaths');
          }
          return found.size === families.length;
        }, { meter });
        if (found.size === 0) return { passed: true };
        const hits = families.filter((family) => found.has(family));
        return { passed: false, reason: describeFamilies(hits), details: { families: hits } };
      },
    }),
    FILESYSTEM_WARM_UP,
  );
}

function describeFamilies(hits: readonly FilesystemFamily[]): string {
  const labels = hits.map((family) => FAMILY_LABEL[family]);
  const listed = labels.length === 1 ? labels[0]! : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)!}`;
  return `${listed} in output`;
}

// ---------------------------------------------------------------------------------------------------------------
// Character classes shared by the three detectors.

const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const DOT = 0x2e;

/** Whitespace or zero-width (text/chars.ts) separates arguments. */
const isSpace = isSpaceOrZeroWidth;

function isQuote(c: number): boolean {
  return c === 0x22 || c === 0x27 || c === 0x60;
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Characters that glue a path to whatever precedes it: a name, a variable, a host, another path. A path that starts
 * right after one of these is relative to something (`foo/etc`, `${PREFIX}/etc`, `example.com/etc`), not absolute.
 * Non-ASCII letters glue too (`é/etc`), non-ASCII spaces do not.
 */
const PATH_GLUE = new Set([..."_-.~/\\%$+@})]*"].map((ch) => ch.charCodeAt(0)));

function isPathGlue(c: number): boolean {
  if (c < 0x80) return isAsciiAlnum(c) || PATH_GLUE.has(c);
  return !isSpace(c);
}

/** Characters that may continue a file or directory name: `/etcetera`, `/var-lib`, `/etc_old` are other names. */
const NAME_CHAR = new Set([..."_-~$%+@"].map((ch) => ch.charCodeAt(0)));

function isNameChar(c: number): boolean {
  if (c < 0x80) return isAsciiAlnum(c) || NAME_CHAR.has(c);
  return !isSpace(c);
}

/**
 * True when `text[i]` is preceded by a JSON/C escape for whitespace (`\n`, `\r`, `\t`): outputs often carry
 * serialized JSON (tool-call arguments), where a command on its own line reads `…\nrm -rf /`.
 */
function followsEscapedSpace(text: string, i: number): boolean {
  if (i < 2 || text.charCodeAt(i - 2) !== BACKSLASH) return false;
  const c = text.charCodeAt(i - 1);
  return c === 0x6e || c === 0x72 || c === 0x74;
}

/** True when a path starting at `text[i]` stands on its own rather than continuing a name, host or variable. */
function startsPath(text: string, i: number): boolean {
  return i === 0 || !isPathGlue(text.charCodeAt(i - 1)) || followsEscapedSpace(text, i);
}

/** True when the component that ends just before `text[j]` is complete (`/etc` in `/etc/x` but not `/etcx`). */
function endsComponent(text: string, j: number): boolean {
  if (j >= text.length) return true;
  const c = text.charCodeAt(j);
  if (c === SLASH || c === BACKSLASH) return true;
  // A dot ends the component only as sentence punctuation ("look in /etc."), not as an extension (`/etc.bak`).
  if (c === DOT) return j + 1 >= text.length || !isPathGlue(text.charCodeAt(j + 1));
  return !isNameChar(c);
}

// ---------------------------------------------------------------------------------------------------------------
// recursiveDelete: find a command word, then read its arguments token by token up to the end of the command.

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

function newDeleteScan(): DeleteScan {
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
function containsRecursiveDelete(text: string, scan: DeleteScan): boolean {
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
function startsCommand(text: string, i: number): boolean {
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

// ---------------------------------------------------------------------------------------------------------------
// pathTraversal

// Only consulted when the text holds a '%': a dot or separator may then be percent-encoded, once or twice.
const ENCODED_DOT = String.raw`(?:\.|%(?:25)?2e)`;
const ENCODED_SEPARATOR = String.raw`(?:[/\\]|%(?:25)?(?:2f|5c))`;
const ENCODED_TRAVERSAL = new RegExp(
  String.raw`(?:^|[^A-Za-z0-9_~.%-])${ENCODED_DOT}{2}${ENCODED_SEPARATOR}` +
    String.raw`|${ENCODED_SEPARATOR}${ENCODED_DOT}{2}(?:$|${ENCODED_SEPARATOR}|[\s"'?#&;,)\]])`,
  'i',
);

function containsPathTraversal(text: string): boolean {
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

// ---------------------------------------------------------------------------------------------------------------
// sensitivePaths

const DEFAULT_SENSITIVE_PATHS: readonly string[] = ['/etc', '/usr', '/var', '~/.ssh', '~/.aws', '~/.gnupg'];

/**
 * The sensitive prefixes compiled into two scanners. The regexes put the literal first and check the characters
 * around it with lookarounds of bounded width, so each position costs a constant and a long run of `/` or `.` cannot
 * slow them down; the remaining conditions (shebangs, home-directory spellings) are checked in code per match.
 */
interface SensitivePaths {
  /** Absolute prefixes (`/etc`) standing at the start of a path and ending at a component boundary. */
  absolute: RegExp | null;
  /** A separator and a home-relative prefix (`/.ssh`, `\.aws`) ending at a component boundary. */
  underHome: RegExp | null;
}

// Regex forms of isNameChar and isPathGlue (a non-ASCII character counts unless it is a space).
const NAME_CHAR_CLASS = String.raw`(?:[A-Za-z0-9_~$%+@-]|[^\x00-\x7f\s])`;
const PATH_GLUE_CLASS = String.raw`(?:[A-Za-z0-9_.~/\\%$+@})\]*-]|[^\x00-\x7f\s])`;
// Mirrors endsComponent: no name character follows, and a dot only as sentence punctuation.
const COMPONENT_END = `(?!${NAME_CHAR_CLASS}|\\.${PATH_GLUE_CLASS})`;
// Mirrors startsPath plus `file://`: nothing glued before, or an escaped newline of serialized JSON.
const PATH_START = String.raw`(?:^|(?!${PATH_GLUE_CLASS})[^]|\\[ntr]|[Ff][Ii][Ll][Ee]:\/\/)`;

function parseExtraSensitivePaths(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError('filesystem: extraSensitivePaths must be an array of paths');
  if (value.length > MAX_EXTRA_SENSITIVE_PATHS) {
    throw new TypeError(`filesystem: extraSensitivePaths holds at most ${MAX_EXTRA_SENSITIVE_PATHS} paths`);
  }
  return value.map((path: unknown) => normalizeSensitivePath(path));
}

/**
 * An extra path must be an absolute (`/x`) or home-relative (`~/x`) prefix made of real components: anything else
 * (`/`, `~`, `..`, empty components, control characters) would either match everything or never match.
 */
function normalizeSensitivePath(path: unknown): string {
  const invalid = (why: string) =>
    new TypeError(`filesystem: each extraSensitivePaths entry must be an absolute or ~/ path (${why})`);
  if (typeof path !== 'string') throw invalid('not a string');
  if (path.length > MAX_SENSITIVE_PATH_LENGTH) throw invalid(`longer than ${MAX_SENSITIVE_PATH_LENGTH}`);
  if (/[\u0000-\u001f\u007f\\]/.test(path)) throw invalid('control character or backslash');
  const trimmed = path.replace(/\/+$/, '');
  const rest = trimmed.startsWith('/') ? trimmed.slice(1) : trimmed.startsWith('~/') ? trimmed.slice(2) : null;
  if (rest === null) throw invalid('must start with / or ~/');
  if (rest.length === 0) throw invalid('names no directory');
  for (const component of rest.split('/')) {
    if (component.length === 0 || component === '.' || component === '..' || component.trim() !== component) {
      throw invalid('empty, dot or space-padded component');
    }
  }
  return trimmed;
}

function compileSensitivePaths(paths: readonly string[]): SensitivePaths {
  const absolute = new Set<string>();
  const underHome = new Set<string>();
  for (const path of paths) {
    if (path.startsWith('~/')) underHome.add(path.slice(2));
    else absolute.add(path);
  }
  // Longest first: at one position a longer prefix that fails the boundary test means every shorter one fails too.
  const alternation = (items: Set<string>) =>
    [...items].sort((x, y) => y.length - x.length).map(escapeRegExp).join('|');
  return {
    absolute:
      absolute.size === 0
        ? null
        : new RegExp(`(?:${alternation(absolute)})(?<=${PATH_START}(?:${alternation(absolute)}))${COMPONENT_END}`, 'g'),
    underHome:
      underHome.size === 0 ? null : new RegExp(`[/\\\\](?:${alternation(underHome)})${COMPONENT_END}`, 'g'),
  };
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function containsSensitivePath(text: string, paths: SensitivePaths): boolean {
  // Every match holds a separator: most strings of a structured output have none, and indexOf is far cheaper than
  // setting up a regex scan.
  if (text.length < 2 || (text.indexOf('/') === -1 && text.indexOf('\\') === -1)) return false;
  const { absolute, underHome } = paths;
  if (absolute !== null) {
    absolute.lastIndex = 0;
    for (let match = absolute.exec(text); match !== null; match = absolute.exec(text)) {
      if (!isShebangInterpreter(text, match.index)) return true;
    }
  }
  if (underHome !== null) {
    underHome.lastIndex = 0;
    for (let match = underHome.exec(text); match !== null; match = underHome.exec(text)) {
      if (endsWithHome(text, match.index)) return true;
      underHome.lastIndex = match.index + 1;
    }
  }
  return false;
}

/** The `/` at `text[i]` begins an absolute path: on its own or after `file://`. */
function isAbsolutePathStart(text: string, i: number): boolean {
  if (isShebangInterpreter(text, i)) return false;
  if (startsPath(text, i)) return true;
  return i >= 7 && text.charCodeAt(i - 1) === SLASH && text.slice(i - 7, i).toLowerCase() === 'file://';
}

/** `#!/usr/bin/env node` names an interpreter; it reads no file from /usr. */
function isShebangInterpreter(text: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x09)) k--;
  return k >= 1 && text.charCodeAt(k) === 0x21 && text.charCodeAt(k - 1) === 0x23; // #!
}

const HOME_VARIABLES = ['~', '$HOME', '${HOME}', '%USERPROFILE%', '%HOMEPATH%', '/root'];
const HOME_PARENTS = ['/home', '/Users', '\\Users'];
/** Usernames are short; bounding the backward look keeps the scan linear even on hostile input. */
const MAX_USER_LENGTH = 64;

/** The separator at `text[sep]` directly follows a home directory spelled one of the usual ways. */
function endsWithHome(text: string, sep: number): boolean {
  for (const home of HOME_VARIABLES) {
    const start = sep - home.length;
    if (start < 0 || !text.startsWith(home, start)) continue;
    if (home === '/root' ? isAbsolutePathStart(text, start) : startsPath(text, start)) return true;
  }
  // /home/<user>, /Users/<user>, C:\Users\<user> or ~<user>
  let k = sep - 1;
  const limit = Math.max(0, sep - MAX_USER_LENGTH);
  while (k >= limit && isUserChar(text.charCodeAt(k))) k--;
  if (k === sep - 1 || k < 0) return false;
  const before = text.charCodeAt(k);
  if (before === 0x7e) return startsPath(text, k); // ~alice
  if (before !== SLASH && before !== BACKSLASH) return false;
  for (const parent of HOME_PARENTS) {
    const start = k - parent.length;
    if (start < 0 || !text.startsWith(parent, start)) continue;
    if (parent === '\\Users') return start >= 2 && text.charCodeAt(start - 1) === 0x3a && startsPath(text, start - 2);
    return isAbsolutePathStart(text, start);
  }
  return false;
}

function isUserChar(c: number): boolean {
  return c !== SLASH && c !== BACKSLASH && c !== 0x7e && !isSpace(c) && !isQuote(c);
}
