/**
 * Keyword context: a value assigned to a secret-named key (`api_key = "…"`, `"githubToken": "…"`, `DB_PASSWORD=…`,
 * `Authorization: Bearer …`). Only looked at where an assignment operator follows such a name, so prose pays one
 * name test per `=` or `:`. The value must look random; passwords, which people choose, are judged as passwords
 * instead (passwords.ts), and `Basic` credentials by the password they decode to. Values that are code (`cert.key`,
 * `contextToken2`, a value repeating its name) are not secrets.
 */
import { BASE64_EXTRA, DIGIT, EQUALS, JOINER, LOWER, SYMBOL, UPPER, WORD_DASH, classAt, runEnd } from './chars.js';
import { found, type CredentialMatch } from './match.js';
import { isMasked } from './prefix-rule.js';
import { isRealPassword } from './passwords.js';
import { looksRandom } from './randomness.js';
import { NOT_SECRET, PASSWORD_NAME, secretNameKind } from './secret-names.js';

const VALUE = WORD_DASH | JOINER | BASE64_EXTRA;
const PASSWORD_VALUE = VALUE | SYMBOL;
const MAX_VALUE = 4096;
/**
 * Secret-named values fully checked per text: far more than any real output holds, few enough that a hostile run
 * of `api_key="…"` stays fast. Past it, each further one counts as a credential.
 */
export const MAX_ASSIGNMENT_CHECKS = 4096;
const MIN_VALUE = 12;
const MIN_PASSWORD = 8;
/** Basic credentials are a user and a password, however short. */
const MIN_BASIC_PASSWORD = 4;
/** The shortest value any rule accepts (a Telegram id aside, which is no assignment). */
const MIN_VALUE_START = 8;
/** Digits alone (numeric client secrets, Discord ids) need more length to be told from ordinary numbers. */
const MIN_DIGITS_ONLY = 16;
const MIN_ENTROPY = 3;
/** Short random strings measure lower entropy than long ones (too few characters to spread over the alphabet). */
const SHORT_VALUE = 20;
const MIN_SHORT_ENTROPY = 2.7;
/** Ten symbols carry at most 3.3 bits each: a random 16-digit secret has about 2.8. */
const MIN_DIGITS_ENTROPY = 2.5;
/** Between the name and the operator: a closing quote, spaces, `?` of `?=`, `:` of `::=`. */
const MAX_NAME_GAP = 3;
const MAX_SPACES = 32;

const SCHEMES = ['bearer ', 'basic ', 'token ', 'bot ', 'apikey ', 'api-token ', 'key '];

/** Tries a vendor rule on the token at `start` (the scanner's dispatch); fills `match` when one fits. */
export type TokenMatcher = (text: string, start: number, match: CredentialMatch) => boolean;

/**
 * The operator at `operatorAt` follows the name [nameStart, nameEnd): when the name is secret and the value a
 * secret, fills `match` (the value's vendor family, or `assignment`) and returns true.
 */
export function matchAssignment(
  text: string,
  nameStart: number,
  nameEnd: number,
  operatorAt: number,
  match: CredentialMatch,
  matchToken: TokenMatcher,
): boolean {
  if (operatorAt - nameEnd > MAX_NAME_GAP || !onlyGapCharacters(text, nameEnd, operatorAt)) return false;
  // `("api_token", "…")`: a comma only separates a quoted name from its value.
  if (text.charCodeAt(operatorAt) === 44 && !isQuotedName(text, nameStart, nameEnd)) return false;
  let at = operatorAt;
  const operatorLimit = operatorAt + 4;
  while (at < operatorLimit && isOperator(text.charCodeAt(at))) at++;
  if (text.charCodeAt(operatorAt) === 44) at = operatorAt + 1;
  at = skipSpaces(text, at);
  let quote = text.charCodeAt(at);
  if (quote === 92 /* \" inside an escaped string */) quote = text.charCodeAt(++at);
  if (quote === 34 || quote === 39 || quote === 96) at++;
  else quote = -1;
  const scheme = schemeAt(text, at);
  at = skipScheme(text, at);
  // Nothing this short is a secret: rule it out before judging the name.
  if (runEnd(text, at, VALUE | SYMBOL | EQUALS, MIN_VALUE_START) - at < MIN_VALUE_START) return false;
  const kind = secretNameKind(text, nameStart, nameEnd);
  if (kind === NOT_SECRET) return false;
  if (--match.assignmentChecks < 0) {
    // Fail closed: a text with thousands of secret-named values is a dump of secrets, and a scan that stopped
    // checking would let one hide behind the others.
    return found(match, 'assignment', runEnd(text, at, VALUE, MAX_VALUE));
  }
  if (matchToken(text, at, match)) return true;
  // In `("password", "…")` lists a comma is no assignment to rely on: the value must look random.
  const password = kind === PASSWORD_NAME && text.charCodeAt(operatorAt) !== 44;
  // Inside quotes a value may hold `=`; unquoted, `=` starts the next assignment.
  const mask = (password ? PASSWORD_VALUE : VALUE) | (quote >= 0 ? EQUALS : 0);
  let end = runEnd(text, at, mask, MAX_VALUE);
  if (end > match.scanned) match.scanned = end;
  if (end - at > MAX_VALUE) return false;
  for (let padding = 0; padding < 2 && text.charCodeAt(end) === 61; padding++) end++;
  if (!endsValue(text, end, quote) || isMasked(text, end) || hasEllipsis(text, at, end)) return false;
  if (isCodeReference(text, at, end) || isIdentifier(text, at, end) || repeatsName(text, at, end, nameStart, nameEnd)) return false;
  const valid = scheme === BASIC
    ? isBasicCredential(text, at, end)
    : password
      ? isRealPassword(text, at, end, MIN_PASSWORD)
      : isSecretValue(text, at, end);
  return valid && found(match, 'assignment', end);
}

/** `ops_eyJzaWdu...`: a value shortened for display. */
function hasEllipsis(text: string, start: number, end: number): boolean {
  for (let i = start; i + 2 < end; i++) {
    if (text.charCodeAt(i) === 46 && text.charCodeAt(i + 1) === 46 && text.charCodeAt(i + 2) === 46) return true;
  }
  return false;
}

function isQuotedName(text: string, nameStart: number, nameEnd: number): boolean {
  const open = text.charCodeAt(nameStart - 1);
  return (open === 34 || open === 39) && text.charCodeAt(nameEnd) === open;
}

function onlyGapCharacters(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 34 && c !== 39 && c !== 96 && c !== 32 && c !== 9 && c !== 63 && c !== 58 && c !== 92) return false;
  }
  return true;
}

function isOperator(c: number): boolean {
  return c === 61 || c === 58 || c === 62; // = : >
}

function skipSpaces(text: string, from: number): number {
  let at = from;
  const limit = from + MAX_SPACES;
  while (at < limit && (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9)) at++;
  return at;
}

const BASIC = 1;
const OTHER_SCHEME = 0;

function schemeAt(text: string, at: number): number {
  return startsWithIgnoringCase(text, at, 'basic ') ? BASIC : OTHER_SCHEME;
}

/** Skips an HTTP authentication scheme word (`Bearer `, `Basic `…) before the credential. */
function skipScheme(text: string, at: number): number {
  const first = text.charCodeAt(at) | 0x20;
  if (first !== 98 && first !== 116 && first !== 97 && first !== 107) return at; // b t a k
  for (const scheme of SCHEMES) {
    if (startsWithIgnoringCase(text, at, scheme)) return skipSpaces(text, at + scheme.length);
  }
  return at;
}

function startsWithIgnoringCase(text: string, at: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    if ((text.charCodeAt(at + i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** A value ends at its closing quote, or unquoted at a delimiter: `key(…)`, `key[…]`, `${…}` are code. */
function endsValue(text: string, end: number, quote: number): boolean {
  if (end >= text.length) return quote < 0;
  const c = text.charCodeAt(end);
  if (quote >= 0) return c === quote || c === 92;
  return c <= 32 || c === 44 || c === 59 || c === 41 || c === 125 || c === 93 || c === 38 || c === 60 || c === 34 || c === 39 || c === 96 || c === 92;
}

function classesIn(text: string, start: number, end: number): number {
  let classes = 0;
  for (let i = start; i < end; i++) classes |= classAt(text, i);
  return classes;
}

function isSecretValue(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length < MIN_VALUE) return false;
  const classes = classesIn(text, start, end);
  const letters = (classes & (UPPER | LOWER)) !== 0;
  if ((classes & DIGIT) === 0) return false;
  if (!letters) return length >= MIN_DIGITS_ONLY && looksRandom(text, start, end, MIN_DIGITS_ENTROPY);
  const minEntropy = length < SHORT_VALUE ? MIN_SHORT_ENTROPY : MIN_ENTROPY;
  return looksRandom(text, start, end, minEntropy);
}

/** `contextToken2`, `SOCKS5`: a word with at most a short number at its end is a code identifier. */
function isIdentifier(text: string, start: number, end: number): boolean {
  let at = end;
  while (at > start && end - at < 4 && (classAt(text, at - 1) & DIGIT) !== 0) at--;
  for (let i = start; i < at; i++) if ((classAt(text, i) & (UPPER | LOWER)) === 0) return false;
  return true;
}

/** `exports.SOCKS5_AUTH = SOCKS5_AUTH`: a value that repeats (the end of) its name. */
function repeatsName(text: string, start: number, end: number, nameStart: number, nameEnd: number): boolean {
  const length = end - start;
  return length <= nameEnd - nameStart && text.startsWith(text.slice(start, end), nameEnd - length);
}

/**
 * `Authorization: Basic <base64 of user:password>`: the decoded password is judged as a password, so that
 * `dXNlcm5hbWU6cGFzc3dvcmQ=` (username:password) is not a secret.
 */
function isBasicCredential(text: string, start: number, end: number): boolean {
  let decoded: string;
  try {
    decoded = atob(text.slice(start, end));
  } catch {
    return isSecretValue(text, start, end);
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return isSecretValue(text, start, end);
  return isRealPassword(decoded, colon + 1, decoded.length, MIN_BASIC_PASSWORD, 0, colon);
}

/** `config.v8_setting`, `X25519.secret_length`: dotted names in code, not values. */
function isCodeReference(text: string, start: number, end: number): boolean {
  let dots = 0;
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) !== 46) continue;
    dots++;
    if ((classAt(text, i + 1) & (UPPER | LOWER)) === 0) return false;
  }
  return dots > 0 && (classAt(text, start) & (UPPER | LOWER)) !== 0;
}

