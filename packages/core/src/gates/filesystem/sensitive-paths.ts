/** sensitivePaths: the well-known system and credential locations, and the caller's own. */
import { BACKSLASH, isQuote, isSpace, SLASH, startsPath } from './chars.js';

export const MAX_EXTRA_SENSITIVE_PATHS = 64;
export const MAX_SENSITIVE_PATH_LENGTH = 256;

export const DEFAULT_SENSITIVE_PATHS: readonly string[] = ['/etc', '/usr', '/var', '~/.ssh', '~/.aws', '~/.gnupg'];

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

export function parseExtraSensitivePaths(value: unknown): string[] {
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

export function compileSensitivePaths(paths: readonly string[]): SensitivePaths {
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

export function containsSensitivePath(text: string, paths: SensitivePaths): boolean {
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

