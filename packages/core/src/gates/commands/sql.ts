/**
 * Database statements and commands that destroy data, wherever they appear: as a statement of their own (a query
 * argument of a tool call), in a database client's `-c`/`-e` program, or in its stdin (`psql <<EOF`, `echo … | psql`).
 * - `DROP DATABASE|SCHEMA name`, `DROP TABLE name[, …]` (with or without `IF EXISTS`), `TRUNCATE [TABLE] name`,
 *   `DELETE FROM name` with no `WHERE`;
 * - `dropdb`, `mysqladmin drop`, `redis-cli flushall|flushdb` (and a bare `FLUSHALL`), MongoDB `db.dropDatabase()`
 *   and `db.<collection>.drop()`.
 * Temporary tables are scratch: `DROP TEMPORARY TABLE …` and `DROP TABLE [IF EXISTS] tmp_…|temp_…|#…` pass, as
 * does `DELETE … WHERE …`. A statement must have SQL's shape to count: the keywords, then identifiers and nothing
 * else, so prose such as "Drop table salt into the water" or "Delete from the list" passes. `TRUNCATE` without
 * `TABLE` counts when written in capitals (lower-case `truncate` is also the shell's file-size command).
 */
import { SQL_KEYWORDS, type Invocation } from './invocation.js';

/** Statements (first keyword, lower-cased) and programs this family looks at. */
export const SQL_PROGRAMS: readonly string[] = [...SQL_KEYWORDS, 'dropdb', 'mysqladmin', 'redis-cli'];

const TRAILING_DROP = new Set(['cascade', 'restrict', 'purge', 'force']);
const TRAILING_TRUNCATE = new Set(['cascade', 'restrict', 'restart', 'continue', 'identity']);
const TEMP_PREFIXES = ['tmp_', 'temp_', '#', '_tmp', 'tmp.', 'temp.'];

export function isDestructiveStatement(inv: Invocation): boolean {
  const words = inv.args.map((w) => w.text);
  switch (inv.name) {
    case 'drop':
      return isDrop(words);
    case 'truncate':
      return isTruncate(inv.written, words);
    case 'delete':
      return isUnboundedDelete(words);
    case 'flushall':
    case 'flushdb':
      return inv.written === inv.written.toUpperCase() && words.every((w) => /^(?:a?sync)$/i.test(w));
    case 'dropdb':
      return words.some((w) => !w.startsWith('-'));
    case 'mysqladmin':
      return words.some((w) => w.toLowerCase() === 'drop');
    case 'redis-cli':
      return words.some((w) => w.toLowerCase() === 'flushall' || w.toLowerCase() === 'flushdb');
    default:
      return false;
  }
}

/** Names defined with `name()` in the tokenizer's eyes: how MongoDB's `db.dropDatabase()` reads in a shell. */
export function isMongoDrop(functionName: string): boolean {
  const lower = functionName.toLowerCase();
  return lower.startsWith('db.') && (lower.endsWith('.dropdatabase') || lower.endsWith('.drop'));
}

function isIdentifier(text: string): boolean {
  if (text.length === 0 || text.length > 128) return false;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    const ok =
      (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
      c === 0x5f || c === 0x2e || c === 0x24 || c === 0x23 || c === 0x60 || c === 0x22 || c === 0x5b || c === 0x5d || c === 0x2c;
    if (!ok) return false;
  }
  return text !== ',';
}

/** Splits `a, b` / `a,b` / `a ,b` into names; undefined unless it is exactly a comma-separated list of names. */
function identifierList(words: readonly string[]): string[] | undefined {
  if (words.length === 0) return undefined;
  const names = words.join(' ').split(',').map((part) => part.trim());
  return names.every((name) => name.length > 0 && !name.includes(' ') && isIdentifier(name)) ? names : undefined;
}

function lower(words: readonly string[], k: number): string {
  return (words[k] ?? '').toLowerCase();
}

function isTempName(name: string): boolean {
  const bare = name.replace(/[`"[\]]/g, '').toLowerCase();
  const table = bare.slice(bare.lastIndexOf('.') + 1);
  return TEMP_PREFIXES.some((prefix) => table.startsWith(prefix) || bare.startsWith(prefix));
}

function isDrop(words: readonly string[]): boolean {
  let k = 0;
  if (lower(words, k) === 'temporary' || lower(words, k) === 'temp') return false;
  const object = lower(words, k++);
  if (object !== 'database' && object !== 'schema' && object !== 'table') return false;
  if (lower(words, k) === 'if' && lower(words, k + 1) === 'exists') k += 2;
  let end = words.length;
  while (end > k && TRAILING_DROP.has(lower(words, end - 1))) end--;
  const names = identifierList(words.slice(k, end));
  if (names === undefined) return false;
  return object !== 'table' || !names.every(isTempName);
}

function isTruncate(written: string, words: readonly string[]): boolean {
  let k = 0;
  const keyword = lower(words, 0) === 'table';
  if (keyword) k++;
  else if (written !== 'TRUNCATE') return false;
  if (lower(words, k) === 'only') k++;
  let end = words.length;
  while (end > k && TRAILING_TRUNCATE.has(lower(words, end - 1))) end--;
  const names = identifierList(words.slice(k, end));
  return names !== undefined && !names.every(isTempName);
}

function isUnboundedDelete(words: readonly string[]): boolean {
  if (lower(words, 0) !== 'from') return false;
  const rest = words.slice(1);
  if (rest.some((w) => w.toLowerCase() === 'where')) return false;
  let end = rest.length;
  if (end >= 2 && rest[end - 2]!.toLowerCase() === 'returning') end -= 2;
  const body = rest.slice(0, end);
  if (body.length === 0 || body.length > 3) return false;
  if (body.length === 3 && body[1]!.toLowerCase() !== 'as') return false;
  return body.every(isIdentifier) && !isTempName(body[0]!);
}

