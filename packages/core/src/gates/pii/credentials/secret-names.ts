/**
 * Whether a key, variable or header name says its value is a secret (`api_key`, `githubToken`, `DB_PASSWORD`,
 * `Authorization`), judged on the name alone. Names that end in a secret word but hold public or bookkeeping values
 * (`publicKey`, `csrf_token`, `nextPageToken`, `sort_key`) are not.
 */

export const NOT_SECRET = 0;
export const SECRET_NAME = 1;
/** Passwords are chosen by people: their values are judged less on randomness (see assignment.ts). */
export const PASSWORD_NAME = 2;
export type NameKind = typeof NOT_SECRET | typeof SECRET_NAME | typeof PASSWORD_NAME;

const MAX_NAME = 80;

/**
 * Final words that make a name secret, longest first; compounds such as `apikey` end in one of them. An access id is
 * half of a key pair (Sumo Logic, Sendbird); a client id is public and not listed.
 */
const ENDINGS = ['authorization', 'credentials', 'credential', 'passphrase', 'password', 'access_id', 'accessid', 'secrets', 'passwd', 'secret', 'token', 'auth', 'pass', 'pwd', 'key'];
const ENDING_KINDS: readonly NameKind[] = ENDINGS.map((ending) => (ending.startsWith('pass') || ending === 'pwd' ? PASSWORD_NAME : SECRET_NAME));

/**
 * The final words as a regex source that matches them in any case without the `i` flag (`[Kk][Ee][Yy]`), for the
 * scan's lookbehind: an operator after any other word never reaches JavaScript.
 */
export const SECRET_ENDING_SOURCE = `(?:${ENDINGS.map((ending) =>
  [...ending].map((c) => `[${c.toUpperCase()}${c}]`).join(''),
).join('|')})`;

/**
 * Words that may be glued to the final word without a separator (`APIKEY`, `accesstoken`): any other letters
 * before it make a different word (`monkey`, `turkey`, `bypass`, `compass`).
 */
const GLUED = ['access', 'api', 'app', 'auth', 'bot', 'client', 'secret', 'private', 'master', 'signing', 'session', 'refresh', 'service', 'account', 'admin', 'user', 'deploy', 'webhook', 'encryption', 'license', 'bearer', 'id', 'db'];

/** Words anywhere in the name that mark a value which is not a secret, where they start a word. */
const NOT_SECRET_WORDS = [
  'public', 'pub_', 'csrf', 'xsrf', 'authenticity', 'page', 'cursor', 'continuation', 'primary', 'foreign',
  'sort', 'partition', 'cache', 'object', 'idempotency', 'translation', 'storage', 'lookup', 'route', 'hotkey',
  'shortcut', 'sequence', 'schema', 'bucket', 'dedup', 'group', 'range', 'hash', 'index', 'i18n', 'locale',
  'pubkey', 'sync', 'event', 'tokenizer', 'websocket', 'nonce',
];
/** The same words as one native search, to rule them out at once in the common case. */
const ANY_NOT_SECRET_WORD = new RegExp(NOT_SECRET_WORDS.join('|'));

export function secretNameKind(text: string, start: number, end: number): NameKind {
  const from = Math.max(start, end - MAX_NAME);
  for (let k = 0; k < ENDINGS.length; k++) {
    const ending = ENDINGS[k]!;
    if (!matchesIgnoringCase(text, end - ending.length, from, ending)) continue;
    // A bare `key` names anything (YAML fields, i18n keys, `GPG key: <fingerprint>`): only compounds say secret.
    if (ending === 'key' && end - from === 3) return NOT_SECRET;
    if (!isWordBoundary(text, from, end - ending.length)) return NOT_SECRET;
    return hasNotSecretWord(text, from, end) ? NOT_SECRET : ENDING_KINDS[k]!;
  }
  return NOT_SECRET;
}

/** Whether text at `at` (not before `from`) reads the lower-case ASCII `word`, in any case. */
function matchesIgnoringCase(text: string, at: number, from: number, word: string): boolean {
  if (at < from) return false;
  for (let i = 0; i < word.length; i++) {
    if ((text.charCodeAt(at + i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether a NOT_SECRET word starts a word in the name [from, end) (`bucket_key`, `s3BucketKey`; not `bitbucketToken`). */
function hasNotSecretWord(text: string, from: number, end: number): boolean {
  const lower = text.slice(from, end).toLowerCase();
  if (!ANY_NOT_SECRET_WORD.test(lower)) return false;
  for (const word of NOT_SECRET_WORDS) {
    for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) {
      if (startsWord(text, from, from + at)) return true;
    }
  }
  return false;
}

/** Start of the name, after a separator, or a camel-case hump (`githubToken`, `AWSToken`). */
function startsWord(text: string, from: number, at: number): boolean {
  if (at <= from) return at === from;
  const previous = text.charCodeAt(at - 1);
  if (previous === 95 || previous === 45 || previous === 46 || previous === 32) return true;
  const first = text.charCodeAt(at);
  if (first < 65 || first > 90) return false;
  const previousIsLowerOrDigit = (previous >= 97 && previous <= 122) || (previous >= 48 && previous <= 57);
  const next = text.charCodeAt(at + 1);
  return previousIsLowerOrDigit || (next >= 97 && next <= 122);
}

/** Whether the final word starts a word at `at`: start of name, a separator, a camel-case hump or a glued word. */
function isWordBoundary(text: string, from: number, at: number): boolean {
  if (startsWord(text, from, at)) return true;
  for (const word of GLUED) {
    const wordStart = at - word.length;
    if (matchesIgnoringCase(text, wordStart, from, word) && isWordBoundary(text, from, wordStart)) return true;
  }
  return false;
}
