/**
 * Secrets that announce themselves with a vendor prefix. One regex of literal prefixes finds candidates (text
 * without any prefix costs a single native scan); each token is then read once with a bounded length, and the
 * search resumes after it, so the work stays linear. A prefix only counts at the start of a token (`mask-…` is
 * not an OpenAI key).
 */
import type { Meter } from '../../budget.js';

/** Reads the token whose prefix starts at `start`; returns its end when it is this credential, else -1. */
type TokenReader = (text: string, start: number) => number;

const MAX_TOKEN_LENGTH = 4096;
/** JWT payloads carry claims and can be much longer than keys. */
const MAX_JWT_PAYLOAD_LENGTH = 65_536;

/** Character classes of token bodies, as code-unit tests (a regex per character would dominate the cost). */
type CodeClass = (code: number) => boolean;

const isAlnum: CodeClass = (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isUpperAlnum: CodeClass = (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
const isWord: CodeClass = (c) => isAlnum(c) || c === 95;
const isWordOrDash: CodeClass = (c) => isWord(c) || c === 45;
const isAlnumOrDash: CodeClass = (c) => isAlnum(c) || c === 45;

const awsAccessKeyId: TokenReader = (t, s) => {
  // AKIA (long-term) or ASIA (temporary) + 16 upper-case alphanumerics, not part of a longer token.
  const end = s + 4 + 16;
  return tokenLength(t, s + 4, isUpperAlnum, 16) === 16 && !isAlnum(t.charCodeAt(end)) ? end : -1;
};

/** End of a run of at least `minLength` `allowed` characters after the prefix, or -1. */
function runEnd(t: string, s: number, prefixLength: number, allowed: CodeClass, minLength: number): number {
  const length = tokenLength(t, s + prefixLength, allowed);
  return length >= minLength && length <= MAX_TOKEN_LENGTH ? s + prefixLength + length : -1;
}

/** A run that also looks random: real keys mix character classes, placeholders ("sk-your-key-here") do not. */
function randomRunEnd(
  t: string,
  s: number,
  prefixLength: number,
  allowed: CodeClass,
  minLength: number,
  mixedCase: boolean,
): number {
  const end = runEnd(t, s, prefixLength, allowed, minLength);
  if (end < 0) return -1;
  const token = t.slice(s + prefixLength, end);
  if (!/[0-9]/.test(token)) return -1;
  return !mixedCase || (/[A-Z]/.test(token) && /[a-z]/.test(token)) ? end : -1;
}

const minimumRun =
  (prefixLength: number, allowed: CodeClass, minLength: number): TokenReader =>
  (t, s) =>
    runEnd(t, s, prefixLength, allowed, minLength);

const randomRun =
  (prefixLength: number, allowed: CodeClass, minLength: number, mixedCase: boolean): TokenReader =>
  (t, s) =>
    randomRunEnd(t, s, prefixLength, allowed, minLength, mixedCase);

const PEM_PRIVATE_KEY = /^-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/;

const pemPrivateKey: TokenReader = (t, s) => {
  const match = PEM_PRIVATE_KEY.exec(t.slice(s, s + 80));
  return match === null ? -1 : s + match[0].length;
};

/** Prefix (as matched) → reader. */
const READERS: Readonly<Record<string, TokenReader>> = {
  AKIA: awsAccessKeyId,
  ASIA: awsAccessKeyId,
  // GitHub: ghp_ (personal), gho_ (OAuth), ghu_ (user-to-server), ghs_ (server-to-server), ghr_ (refresh).
  ghp_: minimumRun(4, isAlnum, 36),
  gho_: minimumRun(4, isAlnum, 36),
  ghu_: minimumRun(4, isAlnum, 36),
  ghs_: minimumRun(4, isAlnum, 36),
  ghr_: minimumRun(4, isAlnum, 36),
  github_pat_: minimumRun(11, isWord, 22),
  'glpat-': minimumRun(6, isWordOrDash, 20),
  // Slack: bot, user, legacy workspace, refresh and app-level tokens.
  'xoxb-': randomRun(5, isAlnumOrDash, 10, false),
  'xoxp-': randomRun(5, isAlnumOrDash, 10, false),
  'xoxa-': randomRun(5, isAlnumOrDash, 10, false),
  'xoxr-': randomRun(5, isAlnumOrDash, 10, false),
  'xoxs-': randomRun(5, isAlnumOrDash, 10, false),
  'xapp-': randomRun(5, isAlnumOrDash, 10, false),
  // Stripe secret and restricted keys (publishable pk_ keys are public by design).
  sk_live_: minimumRun(8, isAlnum, 16),
  rk_live_: minimumRun(8, isAlnum, 16),
  sk_test_: minimumRun(8, isAlnum, 16),
  rk_test_: minimumRun(8, isAlnum, 16),
  // OpenAI-style secret keys: sk-…, sk-proj-…, sk-svcacct-…, sk-ant-… (other vendors copied the format).
  'sk-': randomRun(3, isWordOrDash, 20, true),
  // PEM private keys of any algorithm (RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP … BLOCK).
  '-----BEGIN ': pemPrivateKey,
  eyJ: jwtEnd,
};

/** Work units charged per prefix match: it reads one bounded token after the prefix. */
const CREDENTIAL_CANDIDATE_UNITS = 4;
const PREFIXES = /AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[bpars]-|xapp-|[sr]k_(?:live|test)_|sk-|-----BEGIN |eyJ/g;

/** Counts credentials in `text`. */
export function countCredentials(text: string, meter?: Meter): number {
  let count = 0;
  const prefixes = PREFIXES;
  prefixes.lastIndex = 0;
  for (let m = prefixes.exec(text); m !== null; m = prefixes.exec(text)) {
    meter?.spend(CREDENTIAL_CANDIDATE_UNITS);
    if (!isTokenStart(text, m.index)) continue;
    const end = READERS[m[0]]!(text, m.index);
    if (end < 0) continue;
    count++;
    prefixes.lastIndex = end;
  }
  return count;
}

function isTokenStart(text: string, at: number): boolean {
  return !isWordOrDash(text.charCodeAt(at - 1));
}

/** Length of the run of `allowed` characters from `start`, capped just above `max`. */
function tokenLength(text: string, start: number, allowed: CodeClass, max = MAX_TOKEN_LENGTH): number {
  let end = start;
  const limit = Math.min(text.length, start + max + 1);
  while (end < limit && allowed(text.charCodeAt(end))) end++;
  return end - start;
}

/**
 * JSON Web Tokens: three base64url segments (the signature may be empty for `alg: none`) whose header decodes to
 * a JSON object with a string `alg`. `eyJ` is `{"` in base64, the start of every JWT header and payload.
 */
function jwtEnd(text: string, start: number): number {
  const headerLength = tokenLength(text, start, isWordOrDash);
  // {"alg":""} is the shortest header: 14 characters of base64.
  if (headerLength < 14 || headerLength > MAX_TOKEN_LENGTH || text[start + headerLength] !== '.') return -1;
  const payloadStart = start + headerLength + 1;
  const payloadLength = tokenLength(text, payloadStart, isWordOrDash, MAX_JWT_PAYLOAD_LENGTH);
  const signatureStart = payloadStart + payloadLength + 1;
  if (payloadLength < 2 || payloadLength > MAX_JWT_PAYLOAD_LENGTH || text[signatureStart - 1] !== '.') return -1;
  if (!headerHasAlg(text.slice(start, start + headerLength))) return -1;
  return signatureStart + tokenLength(text, signatureStart, isWordOrDash);
}

/** Decodes a base64url JWT header and checks for a JSON object with an "alg" member, without throwing. */
function headerHasAlg(segment: string): boolean {
  if (segment.length % 4 === 1) return false;
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const json = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  if (!json.startsWith('{') || !json.trimEnd().endsWith('}') || !json.includes('"alg"')) return false;
  try {
    const header: unknown = JSON.parse(json);
    return typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}
