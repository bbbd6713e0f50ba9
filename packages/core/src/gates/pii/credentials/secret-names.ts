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

/** Final words that make a name secret, longest first; compounds such as `apikey` end in one of them. */
const ENDINGS: ReadonlyArray<[string, NameKind]> = [
  ['authorization', SECRET_NAME],
  ['credentials', SECRET_NAME],
  ['credential', SECRET_NAME],
  ['passphrase', PASSWORD_NAME],
  ['password', PASSWORD_NAME],
  ['secrets', SECRET_NAME],
  ['passwd', PASSWORD_NAME],
  ['secret', SECRET_NAME],
  ['token', SECRET_NAME],
  ['auth', SECRET_NAME],
  ['pass', PASSWORD_NAME],
  ['pwd', PASSWORD_NAME],
  ['key', SECRET_NAME],
];

/**
 * Words that may be glued to the final word without a separator (`APIKEY`, `accesstoken`): any other letters
 * before it make a different word (`monkey`, `turkey`, `bypass`, `compass`).
 */
const GLUED = ['access', 'api', 'app', 'auth', 'bot', 'client', 'secret', 'private', 'master', 'signing', 'session', 'refresh', 'service', 'account', 'admin', 'user', 'deploy', 'webhook', 'encryption', 'license', 'bearer', 'id', 'db'];

/** Words anywhere in the name that mark a value which is not a secret. */
const NOT_SECRET_WORDS = [
  'public', 'pub_', 'csrf', 'xsrf', 'authenticity', 'page', 'cursor', 'continuation', 'primary', 'foreign',
  'sort', 'partition', 'cache', 'object', 'idempotency', 'translation', 'storage', 'lookup', 'route', 'hotkey',
  'shortcut', 'sequence', 'schema', 'bucket', 'dedup', 'group', 'range', 'hash', 'index', 'i18n', 'locale',
  'pubkey', 'sync', 'event', 'tokenizer',
];

export function secretNameKind(text: string, start: number, end: number): NameKind {
  const from = Math.max(start, end - MAX_NAME);
  const name = text.slice(from, end);
  const lower = name.toLowerCase();
  for (const [ending, kind] of ENDINGS) {
    if (!lower.endsWith(ending)) continue;
    const before = lower.length - ending.length;
    if (!isWordBoundary(name, lower, before)) return NOT_SECRET;
    if (NOT_SECRET_WORDS.some((word) => containsWord(name, lower, word))) return NOT_SECRET;
    return kind;
  }
  return NOT_SECRET;
}

/** Whether `word` starts a word somewhere in the name (`bucket_key`, `s3BucketKey`; not `bitbucketToken`). */
function containsWord(name: string, lower: string, word: string): boolean {
  for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) {
    if (startsWord(name, at)) return true;
  }
  return false;
}

/** Start of the name, after a separator, or a camel-case hump (`githubToken`, `AWSToken`). */
function startsWord(name: string, at: number): boolean {
  if (at === 0) return true;
  const previous = name.charCodeAt(at - 1);
  if (previous === 95 || previous === 45 || previous === 46 || previous === 32) return true;
  const first = name.charCodeAt(at);
  if (first < 65 || first > 90) return false;
  const previousIsLowerOrDigit = (previous >= 97 && previous <= 122) || (previous >= 48 && previous <= 57);
  const next = name.charCodeAt(at + 1);
  return previousIsLowerOrDigit || (next >= 97 && next <= 122);
}

/** Whether the final word starts a word at `at`: start of name, a separator, a camel-case hump or a glued word. */
function isWordBoundary(name: string, lower: string, at: number): boolean {
  if (startsWord(name, at)) return true;
  for (const word of GLUED) if (lower.startsWith(word, at - word.length) && isWordBoundary(name, lower, at - word.length)) return true;
  return false;
}
