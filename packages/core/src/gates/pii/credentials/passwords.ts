/**
 * Whether a password someone wrote down is a real one. Passwords are chosen by people, so they are not judged on
 * full randomness like keys; instead, what marks the illustrative ones is ruled out: templates (`$PASSWORD`,
 * `${{ secrets.X }}`, `<password>`), defaults and made-up words (`postgres`, `changeme`, `secret123`,
 * `somepassword`, `pa$$word`), a password equal to its user name, and single-class words.
 */
import { DIGIT, LOWER, SYMBOL, UPPER, classAt } from './chars.js';
import { looksRandom } from './randomness.js';

/** Passwords that only appear in examples and local defaults. */
const DEFAULT_PASSWORDS = new Set([
  'pass', 'pwd', 'admin', 'root', 'guest', 'test', 'user', 'username', 'postgres', 'mysql', 'redis', 'default',
  'token', 'apikey', 'api_key', 'letmein', 'qwerty',
]);
/** Words inside a password that say it is an illustration. */
const ILLUSTRATIVE_WORDS = /password|passwd|secret|pa\$\$|example|changeme|dummy|sample|placeholder|qwerty|letmein/;
/** Entropy asked of a password of `length` characters: a little under what its length allows. */
const entropyFor = (length: number): number => Math.min(2.5, Math.log2(length) - 1);

function isTemplate(text: string, start: number): boolean {
  const c = text.charCodeAt(start);
  return c === 36 || c === 123 || c === 37 || c === 91 || c === 42 || c === 40 || c === 60; // $ { % [ * ( <
}

/**
 * Whether [start, end) is a real password of at least `minLength` characters; [userStart, userEnd) is the user
 * name it goes with, if any.
 */
export function isRealPassword(text: string, start: number, end: number, minLength: number, userStart = 0, userEnd = 0): boolean {
  const length = end - start;
  if (length < minLength || isTemplate(text, start)) return false;
  const lower = text.slice(start, end).toLowerCase();
  if (DEFAULT_PASSWORDS.has(lower) || ILLUSTRATIVE_WORDS.test(lower)) return false;
  if (userEnd > userStart && lower === text.slice(userStart, userEnd).toLowerCase()) return false;
  let classes = 0;
  for (let i = start; i < end; i++) classes |= classAt(text, i);
  if ((classes & (UPPER | LOWER)) === 0) return false;
  if ((classes & (DIGIT | SYMBOL)) === 0 && length < 12) return false;
  return looksRandom(text, start, end, entropyFor(length));
}
