/**
 * The credential scan: one left-to-right pass that splits the text into candidate tokens and looks closer only
 * where something cheap points at a secret.
 * - A token of at least MIN_CANDIDATE characters is looked up by its first character in the vendor prefix table
 *   (vendors.ts), then tried against the structural shapes (shapes.ts), PEM headers and JWTs. Ordinary words are
 *   shorter or match no prefix, so prose costs one table lookup per long word.
 * - `=` or `:` after a secret-named key (`api_key = …`) reads the value (assignment.ts); `://` reads a URL's
 *   `user:password@` (userinfo.ts); `-u`/`--user` reads curl's credentials.
 * Every reader reads a bounded stretch and the scan resumes after whatever it read, so the work stays linear on any
 * input. Matches of families switched off are still consumed, so that they are not reported under another family.
 */
import type { Meter } from '../../../budget.js';
import { matchAssignment } from './assignment.js';
import { DIGIT, SCAN, WORD_DASH, classAt, isClass } from './chars.js';
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
/** Work units charged per candidate that reaches a reader: each reads one bounded token. */
const CANDIDATE_UNITS = 4;
const MAX_TOKEN = 65_536;
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
  return matchVendorAt(text, start, match) || matchShape(text, start, tokenEnd, match);
}

/**
 * The assignment reader's view of a value: whatever vendor token starts there. Short scan tokens are tried too
 * (`t1.O==.…` breaks at `=`): an assignment is rare enough in prose to pay for it.
 */
function matchValueToken(text: string, start: number, match: CredentialMatch): boolean {
  let end = start;
  const limit = Math.min(text.length, start + MAX_TOKEN);
  while (end < limit && isClass(text, end, SCAN)) end++;
  return end - start >= 2 && matchCandidate(text, start, end, match);
}

function isCurlUserOption(text: string, start: number, end: number): boolean {
  const length = end - start;
  return (length === 2 && text.startsWith('-u', start)) || (length === 6 && text.startsWith('--user', start));
}

/** Telegram bot token: the bot's numeric id, `:`, then 35 characters starting `AA`. */
function telegramTokenEnd(text: string, nameStart: number, nameEnd: number, colon: number): number {
  const idLength = nameEnd - nameStart;
  if (colon !== nameEnd || idLength < 8 || idLength > 10 || !text.startsWith('AA', colon + 1)) return -1;
  for (let i = nameStart; i < nameEnd; i++) if (!isClass(text, i, DIGIT)) return -1;
  let end = colon + 1;
  while (end < colon + 37 && isClass(text, end, WORD_DASH)) end++;
  return end - colon - 1 === 35 && !isClass(text, end, SCAN) ? end : -1;
}

/**
 * Counts the credentials of the selected families in `text` into `counts` (indexed by FAMILY_INDEX); returns how
 * many it counted.
 */
export function scanCredentials(text: string, selection: CredentialSelection, counts: Uint32Array, meter?: Meter): number {
  const match: CredentialMatch = { family: 'cloud', end: 0, scanned: 0 };
  const length = text.length;
  let total = 0;
  let nameStart = -1;
  let nameEnd = -1;
  let i = 0;
  const record = (): void => {
    if (selection[match.family]) {
      counts[FAMILY_INDEX[match.family]]!++;
      total++;
    }
    i = Math.max(i, match.end, match.scanned);
    nameEnd = -1;
  };
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c < 128 && (classAt(text, i) & SCAN) !== 0) {
      const start = i;
      i++;
      while (i < length && (classAt(text, i) & SCAN) !== 0) i++;
      if (i - start >= MIN_CANDIDATE) {
        meter?.spend(CANDIDATE_UNITS);
        match.scanned = i;
        if (matchCandidate(text, start, i, match)) {
          record();
          continue;
        }
        if (match.scanned > i) {
          // A long-bodied rule read past the token and failed: what it read holds no credential start.
          i = match.scanned;
          nameEnd = -1;
          continue;
        }
      } else if (c === 45 && isCurlUserOption(text, start, i) && matchCurlUser(text, i, match)) {
        match.scanned = 0;
        record();
        continue;
      }
      nameStart = start;
      nameEnd = i;
      continue;
    }
    if ((c === 61 || c === 58 || c === 44) && nameEnd >= 0) {
      meter?.spend(1);
      match.scanned = 0;
      if (c === 58 && text.charCodeAt(i + 1) === 47 && text.charCodeAt(i + 2) === 47 && nameEnd === i) {
        if (matchUrlUserinfo(text, i + 3, match)) {
          record();
          continue;
        }
      } else if (matchAssignment(text, nameStart, nameEnd, i, match, matchValueToken)) {
        record();
        continue;
      } else if (match.scanned > i + LONG_READ) {
        // A long value was read and is not a secret: skipping it keeps hostile `key="key="…` runs linear. Short
        // values are scanned again, so that `key: https://user:pass@host` still reaches the URL check.
        i = match.scanned;
        nameEnd = -1;
        continue;
      } else if (c === 58) {
        const end = telegramTokenEnd(text, nameStart, nameEnd, i);
        if (end >= 0 && found(match, 'chat', end)) {
          record();
          continue;
        }
      }
    }
    i++;
  }
  return total;
}
