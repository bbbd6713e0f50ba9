/**
 * Passwords given together with a user name: in a URL (`postgres://app:s3cr3t@db/…`, any scheme) and in a curl
 * command (`curl -u user:pass`, `--user`). Templates (`$PASSWORD`, `${{ secrets.X }}`, `<password>`), default and
 * made-up passwords (`password`, `postgres`, `test`, a password equal to the user name) are not secrets.
 */
import { DIGIT, SYMBOL, UPPER, LOWER, classAt } from './chars.js';
import { found, type CredentialMatch } from './match.js';
import { looksRandom } from './randomness.js';

const MAX_USER = 128;
const MAX_PASSWORD = 256;
const MIN_PASSWORD = 4;
const MIN_ENTROPY = 1.5;

/** Passwords that only appear in examples and local defaults. */
const DEFAULT_PASSWORDS = new Set([
  'password', 'pass', 'passwd', 'pwd', 'secret', 'changeme', 'admin', 'root', 'guest', 'test', 'user', 'username',
  'example', 'postgres', 'mysql', 'redis', 'default', 'token', 'apikey', 'api_key', 'pass123', 'password123',
]);

/** Characters of a user name or password in a URL or command: anything visible but the delimiters. */
function isUserinfoChar(c: number): boolean {
  return c > 32 && c < 127 && c !== 58 && c !== 64 && c !== 47 && c !== 34 && c !== 39 && c !== 96 && c !== 60 && c !== 62 && c !== 92;
}

function isTemplate(text: string, start: number): boolean {
  const c = text.charCodeAt(start);
  return c === 36 || c === 123 || c === 37 || c === 91 || c === 42 || c === 40; // $ { % [ * (
}

/** Whether [start, end) is a password someone would leak, judged generically. */
function isRealPassword(text: string, start: number, end: number, userStart: number, userEnd: number): boolean {
  if (end - start < MIN_PASSWORD || isTemplate(text, start)) return false;
  const password = text.slice(start, end);
  if (DEFAULT_PASSWORDS.has(password.toLowerCase()) || password === text.slice(userStart, userEnd)) return false;
  let classes = 0;
  for (let i = start; i < end; i++) classes |= classAt(text, i);
  if ((classes & (UPPER | LOWER)) === 0) return false;
  if ((classes & (DIGIT | SYMBOL)) === 0 && end - start < 12) return false;
  return looksRandom(text, start, end, MIN_ENTROPY);
}

/** `://` was found at `slashesEnd - 3`: a `user:password@` right after it is a credential in a URL. */
export function matchUrlUserinfo(text: string, slashesEnd: number, match: CredentialMatch): boolean {
  const userEnd = readWhile(text, slashesEnd, MAX_USER);
  if (text.charCodeAt(userEnd) !== 58) return false;
  const passwordStart = userEnd + 1;
  const passwordEnd = readWhile(text, passwordStart, MAX_PASSWORD);
  if (text.charCodeAt(passwordEnd) !== 64) return false;
  if (!isRealPassword(text, passwordStart, passwordEnd, slashesEnd, userEnd)) return false;
  return found(match, 'connectionString', passwordEnd + 1);
}

/**
 * The curl option `-u` or `--user` ends at `optionEnd`: reads `user:password` after it (quotes around either part
 * allowed, as shells allow them).
 */
export function matchCurlUser(text: string, optionEnd: number, match: CredentialMatch): boolean {
  let at = optionEnd;
  if (text.charCodeAt(at) !== 32) return false;
  while (at < optionEnd + 8 && text.charCodeAt(at) === 32) at++;
  at = skipQuote(text, at);
  const userStart = at;
  const userEnd = readWhile(text, at, MAX_USER, true);
  let passwordStart = skipQuote(text, userEnd);
  if (text.charCodeAt(passwordStart) !== 58) return false;
  passwordStart = skipQuote(text, passwordStart + 1);
  const passwordEnd = readWhile(text, passwordStart, MAX_PASSWORD, true);
  if (!isRealPassword(text, passwordStart, passwordEnd, userStart, userEnd)) return false;
  return found(match, 'connectionString', passwordEnd);
}

function skipQuote(text: string, at: number): number {
  const c = text.charCodeAt(at);
  return c === 34 || c === 39 ? at + 1 : at;
}

function readWhile(text: string, start: number, max: number, allowAt = false): number {
  const limit = Math.min(text.length, start + max + 1);
  let end = start;
  while (end < limit) {
    const c = text.charCodeAt(end);
    if (!isUserinfoChar(c) && !(allowAt && c === 64)) break;
    end++;
  }
  return end;
}
