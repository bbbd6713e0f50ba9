/**
 * Passwords given together with a user name: in a URL (`postgres://app:s3cr3t@db/…`, any scheme) and in a curl
 * command (`curl -u user:pass`, `--user`), judged as passwords (passwords.ts).
 */
import { found, type CredentialMatch } from './match.js';
import { isRealPassword } from './passwords.js';

const MAX_USER = 128;
const MAX_PASSWORD = 256;
const MIN_PASSWORD = 4;

/** Characters of a user name or password in a URL or command: anything visible but the delimiters. */
function isUserinfoChar(c: number): boolean {
  return c > 32 && c < 127 && c !== 58 && c !== 64 && c !== 47 && c !== 34 && c !== 39 && c !== 96 && c !== 60 && c !== 62 && c !== 92;
}

/** `://` was found at `slashesEnd - 3`: a `user:password@` right after it is a credential in a URL. */
export function matchUrlUserinfo(text: string, slashesEnd: number, match: CredentialMatch): boolean {
  const userEnd = readWhile(text, slashesEnd, MAX_USER);
  if (text.charCodeAt(userEnd) !== 58) return false;
  const passwordStart = userEnd + 1;
  const passwordEnd = readWhile(text, passwordStart, MAX_PASSWORD);
  if (text.charCodeAt(passwordEnd) !== 64) return false;
  if (!isRealPassword(text, passwordStart, passwordEnd, MIN_PASSWORD, slashesEnd, userEnd)) return false;
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
  if (!isRealPassword(text, passwordStart, passwordEnd, MIN_PASSWORD, userStart, userEnd)) return false;
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
