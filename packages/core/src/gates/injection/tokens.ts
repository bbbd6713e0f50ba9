/**
 * Turns text into the lower-case word tokens the injection rules read, in one linear pass.
 *
 * - Zero-width characters are skipped without ending a word, so "ig\u200Bnore" still reads as "ignore".
 * - Curly apostrophes fold to "'" so "don’t" and "don't" are one word.
 * - A run of non-space characters that is a URL, an e-mail address or a file path becomes one placeholder token
 *   (`URL`, `EMAIL`, `PATH`, `SECRET_PATH`): the rules ask "sent to an address" or "read a key file", never for the
 *   address itself, and a path's pieces must not read as words ("/ignore/previous" is not an instruction).
 * - Sentence ends (. ! ? ; and line breaks) are recorded so that a rule never joins words across sentences.
 */
import { isSecretPath } from './secret-paths.js';

export const URL = '\u0001url';
export const EMAIL = '\u0001email';
export const PATH = '\u0001path';
export const SECRET_PATH = '\u0001secret-path';

export interface Tokens {
  /** Lower-case words and placeholders, in order. */
  words: string[];
  /** Sentence number of each word: rules match only inside one sentence. */
  sentence: number[];
}

const ZERO_WIDTH = new Set([0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x180e, 0xad]);
const CURLY_APOSTROPHES = new Set([0x2018, 0x2019, 0x02bc]);

/** Characters that stay inside one run: word characters and the punctuation of URLs, addresses and paths. */
function isRunCode(code: number): boolean {
  if (code < 128) {
    return (
      (code >= 97 && code <= 122) ||
      (code >= 65 && code <= 90) ||
      (code >= 48 && code <= 57) ||
      code === 39 || // '
      code === 95 || // _
      code === 46 || // .
      code === 126 || // ~
      code === 47 || // /
      code === 58 || // :
      code === 64 || // @
      code === 45 || // -
      code === 37 || // %
      code === 61 || // =
      code === 38 || // &
      code === 43 || // +
      code === 35 || // #
      code === 63 // ?
    );
  }
  return code >= 0xc0 && !(code >= 0x2000 && code <= 0x206f) && !(code >= 0x3000 && code <= 0x303f);
}

function isSentenceEnd(code: number): boolean {
  return code === 10 || code === 13 || code === 46 || code === 33 || code === 63 || code === 59;
}

export function tokenize(text: string): Tokens {
  const words: string[] = [];
  const sentence: number[] = [];
  let current = 0;
  let run = '';
  const flush = (): void => {
    if (run.length === 0) return;
    const endsSentence = pushRun(run, words, sentence, current);
    run = '';
    if (endsSentence) current++;
  };
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (ZERO_WIDTH.has(code)) continue;
    if (isRunCode(code)) {
      run += code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : text[i];
      continue;
    }
    if (CURLY_APOSTROPHES.has(code)) {
      run += "'";
      continue;
    }
    flush();
    if (isSentenceEnd(code)) current++;
  }
  flush();
  return { words, sentence };
}

const TRAILING = new Set(['.', ',', ':', ';', '?', '!', "'", '-', '/']);
const SPLIT = /[.:@%=&+#?~/-]+/;

/** Pushes the tokens of one run; returns true when the run ended a sentence ("done." or "now!"). */
function pushRun(raw: string, words: string[], sentence: number[], current: number): boolean {
  let start = 0;
  let end = raw.length;
  while (start < end && (raw[start] === "'" || raw[start] === '-')) start++;
  let endsSentence = false;
  while (end > start && TRAILING.has(raw[end - 1]!)) {
    const ch = raw[end - 1]!;
    if (ch === '.' || ch === '?' || ch === '!' || ch === ';') endsSentence = true;
    end--;
  }
  if (end <= start) return endsSentence;
  const run = start === 0 && end === raw.length ? raw : raw.slice(start, end);
  const placeholder = placeholderOf(run);
  if (placeholder !== null) {
    words.push(placeholder);
    sentence.push(current);
    return endsSentence;
  }
  if (!/[.:@%=&+#?~/-]/.test(run)) {
    words.push(run);
    sentence.push(current);
    return endsSentence;
  }
  // "e.g." or "pre-verified" or "step:" : the pieces are words; an inner ". " never reaches here (space ends runs).
  for (const piece of run.split(SPLIT)) {
    if (piece.length === 0) continue;
    words.push(piece);
    sentence.push(current);
  }
  return endsSentence;
}

function placeholderOf(run: string): string | null {
  if (run.includes('://') || run.startsWith('www.')) return URL;
  const at = run.indexOf('@');
  if (at > 0 && run.indexOf('.', at) > at + 1) return EMAIL;
  if (isSecretPath(run)) return SECRET_PATH;
  if (run.includes('/') || run.startsWith('~')) return PATH;
  return null;
}
