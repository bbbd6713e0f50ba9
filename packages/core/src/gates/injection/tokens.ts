/**
 * Turns text into the word tokens the injection rules read, in one linear pass, as ids of the rules' vocabulary
 * (vocabulary.ts): a word no rule mentions is -1. Words are read in place (the vocabulary hashes a range of the
 * text, folding case as it goes), so a megabyte of numbers or prose costs array writes, not allocations; only runs
 * with inner punctuation (URLs, paths, "e.g.") are copied, and lower-cased only when short enough to be a
 * placeholder (lower-casing a megabyte of non-ASCII text is slow).
 *
 * - Lower case; zero-width characters are skipped without ending a word ("ig\u200Bnore" reads as "ignore"); curly
 *   apostrophes fold to "'" ("don’t" is "don't").
 * - A run of non-space characters that is a URL, an e-mail address or a file path becomes one placeholder token
 *   (`URL`, `EMAIL`, `PATH`, `SECRET_PATH`): the rules ask "sent to an address" or "read a key file", never for the
 *   address itself, and a path's pieces must not read as words ("/ignore/previous" is not an instruction).
 * - Sentence ends (. ! ? ; and line breaks) are recorded so that a rule never joins words across sentences.
 */
import type { Meter } from '../../budget.js';
import { isSecretPath } from './secret-paths.js';
import { VOCABULARY } from './vocabulary.js';
import { isZeroWidth } from '../../text/chars.js';

const SOFT_HYPHEN = 0xad;

export const URL = '\u0001url';
export const EMAIL = '\u0001email';
export const PATH = '\u0001path';
export const SECRET_PATH = '\u0001secret-path';

export interface Tokens {
  /** Vocabulary id of each token (-1: a word no rule uses). */
  ids: Int32Array;
  /** Sentence number of each token: rules match only inside one sentence. */
  sentence: Int32Array;
  /** Tokens in use (the arrays are allocated for the most a text of this length can hold). */
  length: number;
  /** True when the text has a character at or above U+180E, where every invisible character lies. */
  wide: boolean;
  /** Which marker characters the text holds (MARK_* bits), so marker checks can skip texts without them. */
  marks: number;
}

export const MARK_ANGLE = 1; // <
export const MARK_BRACKET = 2; // [
export const MARK_HASH = 4; // #
export const MARK_COLON = 8; // :
export const MARK_CAPITAL = 16; // A-Z

const MARK_OF = new Uint8Array(128);
MARK_OF[60] = MARK_ANGLE;
MARK_OF[91] = MARK_BRACKET;
MARK_OF[35] = MARK_HASH;
MARK_OF[58] = MARK_COLON;
for (let code = 65; code <= 90; code++) MARK_OF[code] = MARK_CAPITAL;

/** Longest run still read as one URL, address or path; longer runs are only split into words. */
export const MAX_PLACEHOLDER_RUN = 2048;

/** Per ASCII code: what it does to a run of non-space characters. */
const OTHER = 0;
const WORD = 1;
const SENTENCE_END = 2;
/** Inside URLs, addresses and paths; between words ("e.g.", "pre-verified") it splits them. */
const JOINER = 3;
const ASCII_CLASS = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const ch = String.fromCharCode(code);
  if (/[A-Za-z0-9'_]/.test(ch)) ASCII_CLASS[code] = WORD;
  else if (/[.:@%=&+#?~/-]/.test(ch)) ASCII_CLASS[code] = JOINER;
  else if (/[\n\r!;]/.test(ch)) ASCII_CLASS[code] = SENTENCE_END;
  else ASCII_CLASS[code] = OTHER;
}

/** Zero-width characters (text/chars.ts) and the soft hyphen: skipped inside a word. */
function isSkippedInWord(code: number): boolean {
  return isZeroWidth(code) || code === SOFT_HYPHEN;
}

function isCurlyApostrophe(code: number): boolean {
  return code === 0x2018 || code === 0x2019 || code === 0x02bc;
}

function isWideRunCode(code: number): boolean {
  return code >= 0xc0 && !(code >= 0x2000 && code <= 0x206f) && !(code >= 0x3000 && code <= 0x303f);
}

function isJoinerCode(code: number): boolean {
  return code < 128 && ASCII_CLASS[code] === JOINER;
}

const APOSTROPHE = 39;
const HYPHEN = 45;

/** "id_" in any case at `start`. */
function startsWithId(run: string, start: number): boolean {
  return (run.charCodeAt(start) | 32) === 105 && (run.charCodeAt(start + 1) | 32) === 100 && run.charCodeAt(start + 2) === 95;
}

class TokenWriter {
  readonly ids: Int32Array;
  readonly sentence: Int32Array;
  length = 0;
  current = 0;

  constructor(capacity: number) {
    this.ids = new Int32Array(capacity);
    this.sentence = new Int32Array(capacity);
  }

  push(id: number): void {
    this.ids[this.length] = id;
    this.sentence[this.length] = this.current;
    this.length++;
  }

  /** Pushes `run[start, end)` as one word: its vocabulary id, read in place (no copy). */
  word(run: string, start: number, end: number): void {
    while (start < end && run.charCodeAt(start) === APOSTROPHE) start++;
    while (end > start && run.charCodeAt(end - 1) === APOSTROPHE) end--;
    if (end <= start) return;
    // The only key files named without a dot or slash are the SSH private keys (id_rsa, …).
    if (startsWithId(run, start) && end - start <= MAX_PLACEHOLDER_RUN && isSecretPath(run.slice(start, end).toLowerCase())) {
      this.push(VOCABULARY.lookup(SECRET_PATH));
      return;
    }
    this.push(VOCABULARY.lookupRange(run, start, end));
  }
}

/** Characters read between two accountings to the evaluation's budget. */
export const CHARS_PER_ACCOUNTING = 1 << 16;

/** With a meter, a long text is accounted as it is read, so a spent budget stops the tokenizer part-way. */
export function tokenize(text: string, meter?: Meter): Tokens {
  // No text of n characters holds more than n / 2 + 1 tokens: each needs a character and a separator.
  const out = new TokenWriter((text.length >> 1) + 1);
  // The current run: its start, its first and one-past-last word character, a joiner between two word characters
  // ("e.g", "a/b"), a joiner other than "-" before the first word character (".env", "~/x"). Locals, not an object:
  // this loop runs once per character.
  let start = -1;
  let wordStart = -1;
  let wordEnd = -1;
  let inner = false;
  let leading = false;
  let joinerAfterWord = false;
  let needsCleaning = false;
  let wide = false;
  let marks = 0;
  for (let i = 0; i <= text.length; i++) {
    if (meter !== undefined && (i & (CHARS_PER_ACCOUNTING - 1)) === CHARS_PER_ACCOUNTING - 1) {
      meter.spendChars(CHARS_PER_ACCOUNTING);
    }
    const code = i < text.length ? text.charCodeAt(i) : 32;
    let cls: number;
    if (code < 128) {
      cls = ASCII_CLASS[code]!;
      marks |= MARK_OF[code]!;
    } else if (isSkippedInWord(code) || isCurlyApostrophe(code)) {
      needsCleaning = true;
      wide ||= code >= 0x180e;
      cls = WORD;
    } else {
      wide ||= code >= 0x180e;
      cls = isWideRunCode(code) ? WORD : OTHER;
    }
    if (cls === WORD) {
      if (wordStart < 0) {
        wordStart = i;
        if (start < 0) start = i;
      } else if (joinerAfterWord) {
        inner = true;
      }
      wordEnd = i + 1;
      continue;
    }
    if (cls === JOINER) {
      if (start < 0) start = i;
      if (wordStart >= 0) joinerAfterWord = true;
      else if (code !== HYPHEN) leading = true;
      continue;
    }
    if (start >= 0) {
      if (needsCleaning || inner || leading || wordStart < 0) {
        pushJoinedRun(needsCleaning ? cleanRun(text.slice(start, i)) : text.slice(start, i), out);
      } else {
        pushWordRun(text, wordStart, wordEnd, i, out);
      }
      start = wordStart = wordEnd = -1;
      inner = leading = joinerAfterWord = needsCleaning = false;
    }
    if (cls === SENTENCE_END) out.current++;
  }
  return { ids: out.ids, sentence: out.sentence, length: out.length, wide, marks };
}


/** One word with perhaps "-" before or punctuation after it ("-rf", "done.", "step:"), read in place. */
function pushWordRun(text: string, wordStart: number, wordEnd: number, end: number, out: TokenWriter): void {
  if (wordEnd - wordStart > MAX_PLACEHOLDER_RUN) {
    // Longer than any word or placeholder: one unknown token.
    out.push(-1);
  } else {
    out.word(text, wordStart, wordEnd);
  }
  if (endsWithSentenceMark(text, wordEnd, end)) out.current++;
}

/** True when `text[from, to)` (closing punctuation) holds "." or "?". */
function endsWithSentenceMark(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === 46 || code === 63) return true;
  }
  return false;
}

/** Drops zero-width characters and folds curly apostrophes (only runs that hold them come here). */
function cleanRun(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (isSkippedInWord(code)) continue;
    out += isCurlyApostrophe(code) ? "'" : raw[i];
  }
  return out;
}

/** A run holding punctuation: a placeholder, or words split at the punctuation; may end a sentence ("done."). */
function pushJoinedRun(raw: string, out: TokenWriter): void {
  let start = 0;
  let end = raw.length;
  while (start < end && (raw.charCodeAt(start) === APOSTROPHE || raw.charCodeAt(start) === 45)) start++;
  let endsSentence = false;
  while (end > start && (isJoinerCode(raw.charCodeAt(end - 1)) || raw.charCodeAt(end - 1) === APOSTROPHE)) {
    const code = raw.charCodeAt(end - 1);
    if (code === 46 || code === 63) endsSentence = true; // . ?
    end--;
  }
  if (end > start) {
    const run = start === 0 && end === raw.length ? raw : raw.slice(start, end);
    const placeholder = run.length <= MAX_PLACEHOLDER_RUN ? placeholderOf(run.toLowerCase()) : longPlaceholderOf(run);
    if (placeholder !== null) out.push(VOCABULARY.lookup(placeholder));
    else splitWords(run, out);
  }
  if (endsSentence) out.current++;
}

/** "e.g." or "pre-verified" or "step:": the pieces between punctuation are words. */
function splitWords(run: string, out: TokenWriter): void {
  let pieceStart = 0;
  for (let i = 0; i <= run.length; i++) {
    if (i < run.length && !isJoinerCode(run.charCodeAt(i))) continue;
    if (i > pieceStart) out.word(run, pieceStart, i);
    pieceStart = i + 1;
  }
}

/**
 * A run too long to lower-case: still a URL or a path when it has their punctuation, as a short one would be (its
 * pieces are not words either way); key files are not looked for in it.
 */
function longPlaceholderOf(run: string): string | null {
  if (run.includes('://')) return URL;
  return run.includes('/') ? PATH : null;
}

/** `run` is lower case and at most MAX_PLACEHOLDER_RUN long. */
function placeholderOf(run: string): string | null {
  if (run.includes('://') || run.startsWith('www.')) return URL;
  const at = run.indexOf('@');
  if (at > 0 && run.indexOf('.', at) > at + 1) return EMAIL;
  const slash = run.includes('/');
  if ((slash || run.includes('.')) && isSecretPath(run)) return SECRET_PATH;
  if (slash || run.startsWith('~')) return PATH;
  return null;
}
