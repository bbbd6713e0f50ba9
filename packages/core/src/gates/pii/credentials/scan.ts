/**
 * The credential scan: two native regexes find the few places worth a closer look (ANCHOR_REGEXES), and only there
 * does JavaScript run a reader. Text without anchors costs the regex passes, however many vendor rules there are.
 * - The token around an anchor, if it has MIN_CANDIDATE characters or more, is looked up by its first character in
 *   the vendor prefix table (vendors.ts), then tried as a PEM header, a JWT and against the structural shapes
 *   (shapes.ts).
 * - `=` or `:` after a secret-named key (`api_key = …`) reads the value (assignment.ts); `://` reads a URL's
 *   `user:password@` and `-u`/`--user` curl's credentials (userinfo.ts).
 * Every reader reads a bounded stretch and the scan resumes after whatever it read, so the work stays linear on any
 * input. Matches of families switched off are still consumed, so that they are not reported under another family.
 */
import { CHARS_PER_UNIT, type Meter } from '../../../budget.js';
import { MAX_ASSIGNMENT_CHECKS, matchAssignment } from './assignment.js';
import { SECRET_ENDING_SOURCE } from './secret-names.js';
import { DIGIT, SCAN, WORD_DASH, isClass, runEnd } from './chars.js';
import { FAMILY_INDEX, type CredentialSelection } from './families.js';
import { grafanaKeyEnd, jwtEnd } from './jwt.js';
import { found, type CredentialMatch } from './match.js';
import { pemBodyIsKey, pemHeaderEnd } from './pem.js';
import { prefixRuleEnd } from './prefix-rule.js';
import { matchShape } from './shapes.js';
import { matchCurlUser, matchUrlUserinfo } from './userinfo.js';
import { RULES_BY_FIRST_CHAR } from './vendors.js';

/** The shortest token any vendor rule or shape can match (`-----BEGIN` is ten characters). */
const MIN_CANDIDATE = 10;
/** Work units charged per anchor, besides the characters its readers read. */
const CANDIDATE_UNITS = 4;
const MAX_TOKEN = 65_536;
/** The shortest token a structural shape can match (a Facebook app id). */
const MIN_SHAPE = 15;
/** A failed read longer than this is skipped rather than scanned again. */
const LONG_READ = 32;

const pemStop = { at: 0 };

/** Vendor rules, PEM blocks and JWTs starting exactly at `start`; fills `match`. */
function matchVendorAt(text: string, start: number, match: CredentialMatch): boolean {
  const first = text.charCodeAt(start);
  const rules = RULES_BY_FIRST_CHAR.get(first);
  if (rules !== undefined) {
    for (const rule of rules) {
      if (!text.startsWith(rule.prefix, start)) continue;
      const end = prefixRuleEnd(text, start, rule, match);
      if (end >= 0) return found(match, rule.family, end);
    }
  }
  if (first === 45 /* - */) {
    const headerEnd = pemHeaderEnd(text, start);
    if (headerEnd < 0) return false;
    const isKey = pemBodyIsKey(text, headerEnd, pemStop);
    if (pemStop.at > match.scanned) match.scanned = pemStop.at;
    return isKey && found(match, 'privateKey', pemStop.at);
  }
  if (first === 101 /* e */ && text.startsWith('eyJ', start)) {
    let end = jwtEnd(text, start);
    if (end >= 0) return found(match, 'jwt', end);
    end = grafanaKeyEnd(text, start);
    if (end >= 0) return found(match, 'saas', end);
  }
  return false;
}

/** A candidate token [start, tokenEnd): vendor prefixes first, then the structural shapes. */
function matchCandidate(text: string, start: number, tokenEnd: number, match: CredentialMatch): boolean {
  return matchVendorAt(text, start, match) || (tokenEnd - start >= MIN_SHAPE && matchShape(text, start, tokenEnd, match));
}

/**
 * The assignment reader's view of a value: whatever vendor token starts there. Short scan tokens are tried too
 * (`t1.O==.…` breaks at `=`): an assignment is rare enough in prose to pay for it.
 */
function matchValueToken(text: string, start: number, match: CredentialMatch): boolean {
  const first = text.charCodeAt(start);
  const end = tokenEnd(text, start);
  if (end - start < MIN_SHAPE && !RULES_BY_FIRST_CHAR.has(first) && first !== 45 && first !== 101) return false;
  return end - start >= 2 && matchCandidate(text, start, end, match);
}

/**
 * The places the scan looks closer, found by two native regexes (the text between costs no JavaScript). V8 filters
 * positions on the characters an alternative can start with; each regex below starts every alternative with a
 * character of one small set (punctuation; upper-case letters) and checks the rest of its literal by lookbehind, so
 * each runs about as fast as a plain character search on ordinary text. A union of plain literals (`AKIA|AIza|…`),
 * or of these two, ran several times slower (interleaved runs on the 2 KB benchmark text).
 * First regex:
 * - `_`, `~` and `-` inside a token (not between digits): most vendor prefixes hold one (`ghp_`, `sk-`, `xoxb-`,
 *   `sha256~`, Azure's `Q~`, Mailchimp's `-us`); a token-starting `-` only in `-----BEGIN ` and curl's `-u ` and
 *   `--user ` (command options such as `-rf` cost nothing); `|` after a digit (Facebook's `<app id>|<secret>`);
 *   `://` followed by `user:password@` (a URL's credentials); `<digits>:AA` (a Telegram bot token); `=` or `:`
 *   within two quotes and three spaces or `?` after a word that can end a secret name (token, key, secret,
 *   password, credential, auth…; secret-names.ts), and `,` right after a quoted one (`("api_token", "…")`).
 * - `.` and `/` of dotted prefixes and markers (`SG.`, `hvs.`, `.atlasv1.`, `hooks.slack.com/`…), looked back from
 *   only when a word character follows (so `../` and sentence ends cost one character test).
 * Second regex:
 * - Upper-case letters of the other vendor prefixes (`AKIA`, `AIza`, `eyJ`, `EAAA`, `SK`…), and ClickHouse's `4b1d`.
 *   Databricks' `dapi` is left out (its lower-case letters would slow this regex down on every word): it is found
 *   as the value of a secret-named key.
 * No nested quantifiers; the lookbehinds read at most a few characters back (the Airtable marker 18).
 */
const ANCHOR_REGEXES: readonly RegExp[] = [
  new RegExp(
    [
      String.raw`:\/\/(?=[^\s/@]{1,384}@)|:(?<=\d:)AA`,
      // The one-class lookbehind first: most `:` and `=` fail it on one character, before the word list is tried.
      String.raw`[=:](?<=[dehlnstyDEHLNSTY]["'\x60]{0,2}[ \t?]{0,3}[=:])(?<=${SECRET_ENDING_SOURCE}["'\x60]{0,2}[ \t?]{0,3}[=:])`,
      String.raw`,(?<=[dehlnstyDEHLNSTY]["'],)(?<=${SECRET_ENDING_SOURCE}["'],)`,
      String.raw`[_~]|-(?<=[A-Za-z.]-)|-(?<=[0-9]-)(?![0-9])|-(?<![\w.~+-]-)(?:----BEGIN |u |-user )|\|(?<=\d\|)`,
      String.raw`\.(?=\w)(?:(?<=\b(?:hv[sb]|[ps]at|dp|t1|[ps]k|SG|sl|dt0c01|v1|\.atlasv1)\.)|(?<=\bpat[A-Za-z0-9]{14}\.))`,
      String.raw`\/(?=\w)(?<=(?:hooks\.slack\.com|discord(?:app)?\.com\/api\/webhooks|webhook\.office\.com)\/)`,
    ].join('|'),
    'g',
  ),
  /K(?<=\bAK)(?:IA|Cp)|S(?<=\bAS)IA|B(?<=\bAB)(?:IA|SKQmVkcm9ja0FQSUtleS)|C(?<=\bAC)CA|I(?<=\bAI)za|Q(?<=\bAQ)VN|T(?<=\bAT)(?:BB|ATT3)|T(?<=\bA3T)|A(?<=\bA)A{21}|E(?<=\bE)(?:AA[AMC]|Z[AT]K)|L(?<=\bL)TAI|V(?<=\bcmV)md|R(?<=\bGR)1348941|J(?<=\beyJ)|[KC](?<=\b(?:SK|YC))|4(?<=\b4)b1d/g,
];

/** How far back from a separator or marker a token may start: no prefix or shape has its marker further in. */
const MAX_MARKER_OFFSET = 40;

/** Longest key name read back from an operator. */
const MAX_NAME = 80;
/** Characters allowed between a key name and its operator: quotes, spaces, `?` and `:` (`?=`, `::=`). */
const MAX_NAME_GAP = 3;

function isNameGap(c: number): boolean {
  return c === 34 || c === 39 || c === 96 || c === 32 || c === 9 || c === 63 || c === 58 || c === 92;
}

/** Reads the key name back from the operator at `operator`; returns its start (its end through `name`), or -1. */
function nameBefore(text: string, operator: number, name: { end: number }): number {
  let end = operator;
  while (end > operator - MAX_NAME_GAP && end > 0 && isNameGap(text.charCodeAt(end - 1))) end--;
  let start = end;
  while (start > end - MAX_NAME && start > 0 && isClass(text, start - 1, SCAN)) start--;
  name.end = end;
  return start < end ? start : -1;
}

/** Telegram bot token at the `:` at `colon`: the bot's numeric id, `:`, then 35 characters starting `AA`. */
function telegramTokenEnd(text: string, colon: number): number {
  let idStart = colon;
  while (idStart > colon - 11 && isClass(text, idStart - 1, DIGIT)) idStart--;
  const idLength = colon - idStart;
  if (idLength < 8 || idLength > 10 || isClass(text, idStart - 1, SCAN)) return -1;
  const end = runEnd(text, colon + 1, WORD_DASH, 35);
  return end - colon - 1 === 35 && !isClass(text, end, SCAN) ? end : -1;
}

const match: CredentialMatch = { family: 'cloud', end: 0, scanned: 0, assignmentChecks: 0 };
const name = { end: 0 };

/** End of the run of token characters from `start`. */
function tokenEnd(text: string, start: number): number {
  return runEnd(text, start, SCAN, MAX_TOKEN);
}

/** Start of the token that holds `at` (at most MAX_MARKER_OFFSET back), or -1 when it starts further back. */
function tokenStartBefore(text: string, at: number): number {
  let start = at;
  const limit = Math.max(0, at - MAX_MARKER_OFFSET);
  while (start > limit && isClass(text, start - 1, SCAN)) start--;
  return start > 0 && start === limit && isClass(text, start - 1, SCAN) ? -1 : start;
}

/**
 * A separator or literal inside or at the start of a token: tries the whole token as a candidate (or curl's user
 * option). Fills `match`; `match.scanned` is at least the token's end, so the rest of the token is not looked at
 * again.
 */
function matchTokenAnchor(text: string, at: number): boolean {
  const start = tokenStartBefore(text, at);
  const end = tokenEnd(text, at);
  if (end > match.scanned) match.scanned = end;
  if (start < 0) return false;
  if (end - start >= MIN_CANDIDATE) return matchCandidate(text, start, end, match);
  return text.charCodeAt(start) === 45 && isCurlUserOption(text, start, end) && matchCurlUser(text, end, match);
}

function isCurlUserOption(text: string, start: number, end: number): boolean {
  const length = end - start;
  return (length === 2 && text.startsWith('-u', start)) || (length === 6 && text.startsWith('--user', start));
}

/**
 * Tries the anchor that ends at `end`; fills `match` when it is a credential. Anchors are told apart by their
 * last characters (the scan uses RegExp.test, which allocates no match array): `://`, `<digit>:AA`, an operator
 * (`=`, `:`, `,`), `|`, or any character inside a candidate token.
 */
function matchAnchor(text: string, end: number): boolean {
  const c = text.charCodeAt(end - 1);
  if (c === 47 && text.startsWith('://', end - 3)) return matchUrlUserinfo(text, end, match);
  if (c === 65 && text.charCodeAt(end - 3) === 58 && text.charCodeAt(end - 2) === 65 && isClass(text, end - 4, DIGIT)) {
    const tokenEnd = telegramTokenEnd(text, end - 3);
    if (tokenEnd >= 0) return found(match, 'chat', tokenEnd);
  }
  if (c === 61 || c === 58 || c === 44) {
    // Past the check limit one assignment was already reported (fail closed); the rest cannot change the verdict.
    if (match.assignmentChecks < 0) return false;
    const at = end - 1;
    const nameStart = nameBefore(text, at, name);
    if (nameStart >= 0 && matchAssignment(text, nameStart, name.end, at, match, matchValueToken)) return true;
    return matchFollowingToken(text, end);
  }
  // `|` ends the token it follows; every other anchor is inside its token.
  return matchTokenAnchor(text, c === 124 ? end - 2 : end - 1);
}

/**
 * The token right after an anchor that was not a credential: the regex cannot see it as a candidate, because the
 * anchor consumed the delimiter before it (`status=eyJ…`, `https://hooks.slack.com/…`).
 */
function matchFollowingToken(text: string, from: number): boolean {
  const end = tokenEnd(text, from);
  if (end - from < MIN_CANDIDATE) return false;
  if (end > match.scanned) match.scanned = end;
  return matchCandidate(text, from, end, match);
}

/** Whether the anchor ending at `end` is an operator (`=`, `:`, `,`), whose value may be read again. */
function isOperator(text: string, end: number): boolean {
  const c = text.charCodeAt(end - 1);
  return c === 61 || c === 44 || (c === 58 && text.charCodeAt(end - 2) !== 58);
}

/** End of the next anchor of `regex` at or after `from`, or -1 (RegExp.test allocates no match array). */
function nextAnchorEnd(regex: RegExp, text: string, from: number): number {
  regex.lastIndex = from;
  return regex.test(text) ? regex.lastIndex : -1;
}

const pendingEnds = new Int32Array(ANCHOR_REGEXES.length);

/**
 * Counts the credentials of the selected families in `text` into `counts` (indexed by FAMILY_INDEX); returns how
 * many it counted. Walks the anchors of all regexes in text order.
 */
export function scanCredentials(text: string, selection: CredentialSelection, counts: Uint32Array, meter?: Meter): number {
  if (text.length < MIN_CANDIDATE) return 0;
  let total = 0;
  match.assignmentChecks = MAX_ASSIGNMENT_CHECKS;
  const regexes = ANCHOR_REGEXES;
  const pending = pendingEnds;
  for (let k = 0; k < regexes.length; k++) pending[k] = nextAnchorEnd(regexes[k]!, text, 0);
  for (;;) {
    let end = -1;
    for (let k = 0; k < regexes.length; k++) {
      const candidate = pending[k]!;
      if (candidate >= 0 && (end < 0 || candidate < end)) end = candidate;
    }
    if (end < 0) break;
    let next = end;
    match.end = -1;
    match.scanned = end;
    const matched = matchAnchor(text, end);
    // Charged after the fact: the anchor, and the characters its readers read past it.
    meter?.spend(CANDIDATE_UNITS + Math.max(0, match.scanned - end, match.end - end) / CHARS_PER_UNIT);
    if (matched) {
      if (selection[match.family]) {
        counts[FAMILY_INDEX[match.family]]!++;
        total++;
      }
      // Past the whole token too: its other separators would find the same credential again.
      next = Math.max(end, match.end, match.scanned);
    } else if (match.scanned > end + LONG_READ || (match.scanned > end && !isOperator(text, end))) {
      // A reader read past the anchor and found nothing: what it read holds no credential start, and skipping it
      // keeps hostile runs (`key="key="…`, base64 across many prefixes) linear. A short value read after an
      // operator is scanned again, so that `key: https://user:pass@host` still reaches `://`.
      next = match.scanned;
    }
    for (let k = 0; k < regexes.length; k++) {
      if (pending[k]! >= 0 && pending[k]! <= next) pending[k] = nextAnchorEnd(regexes[k]!, text, next);
    }
  }
  return total;
}
