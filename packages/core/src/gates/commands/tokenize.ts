/**
 * A quote-aware shell tokenizer: splits a command line (or a whole script, or prose that may hold one) into simple
 * commands and their words the way a POSIX shell would before running them, so that the family detectors look at
 * what would execute and never at text that is only printed or quoted.
 *
 * - Quotes are removed and mark the word as quoted: `echo "rm -rf /"` is the command `echo` with one argument.
 * - Command substitutions (`$(…)`, backticks, also inside double quotes) and process substitutions (`<(…)`, `>(…)`)
 *   run, so their commands are emitted too, tagged with the substitution's id; the word holding one gets
 *   SUBSTITUTION_MARK in its text and the id in `subs` (so `bash <(curl …)` can be told from `bash script.sh`).
 * - Here-documents and here-strings are stdin, not arguments: their bodies go to `stdin` of their command, and a
 *   detector decides whether that command executes them (`bash <<EOF`) or reads them as data (`cat <<EOF`).
 * - Redirection targets go to `redirects` (`> /dev/sda` is looked at, `2>/dev/null` is not an argument).
 * - `#` at the start of a word comments out the rest of the line.
 * - Prose is tolerated: an apostrophe between two letters (`don't`) and a quote character that is never closed are
 *   read as text, so one stray quote cannot hide or swallow the rest of an output.
 *
 * Linear in the input and light on memory: one left-to-right pass with an explicit stack for nesting (no recursion),
 * quote ends and here-document ends found with `indexOf`, every character consumed once. Commands are handed to
 * the caller as they end and not kept, so a megabyte of `a;a;a;…` never builds a megabyte of objects; a command
 * whose first word the caller does not care about (`worthReading`) keeps only that word, its other words passed over
 * with one native scan. Three bounds keep hostile input cheap: a command keeps its first MAX_WORDS words, a word its
 * first MAX_WORD_PIECES pieces (the rest are read, not stored), and substitutions nest at most MAX_NESTING deep
 * (deeper `$(` is read as text).
 */

import type { Meter } from '../../budget.js';

/** Words kept per command; later ones are read (quotes, substitutions) but not stored. */
export const MAX_WORDS = 256;
/** Substitutions open at once; a deeper `$(` or backtick is read as text. */
export const MAX_NESTING = 32;
/** Pieces (quoted parts, escapes, substitutions) kept per word; the rest of a longer word is read, not kept. */
export const MAX_WORD_PIECES = 4096;

/** Characters read between two charges of the meter. */
const CHARS_PER_CHARGE = 4096;

/** Stands in a word's text for a command or process substitution. */
export const SUBSTITUTION_MARK = '\u0001';

export interface Word {
  /** The word after quote removal. */
  text: string;
  /** Some part of it was quoted or backslash-escaped. */
  quoted: boolean;
  /** Ids of the substitutions inside the word. */
  subs: number[] | undefined;
}

export interface SimpleCommand {
  words: Word[];
  /** Targets of `>`, `>>`, `<`, `&>`, `>&` … */
  redirects: readonly Word[];
  /** Bodies of here-documents and here-strings: the command's stdin. */
  stdin: readonly string[];
  /** The command feeding this one's stdin (`a | b`: b's pipeFrom is a). */
  pipeFrom: SimpleCommand | undefined;
  /** Set by the reader (scan.ts): what this command writes to stdout came from the network. */
  carriesDownload: boolean;
  /** The first word said nobody reads this command (see `worthReading`): only its first word was kept. */
  unread: boolean;
  /** Id of the substitution the command runs in; -1 at the top level. */
  sub: number;
}

/** Receives each command as it ends; `functions` holds the names defined so far with `name() { … }`. */
export type CommandSink = (command: SimpleCommand, functions: ReadonlySet<string>) => void;

export interface TokenizeOptions {
  /**
   * Called with the first word of each command: false means no reader cares about this command, so its other words
   * are read (quotes, substitutions, redirections still count) but not kept. Default: every command is kept.
   */
  worthReading?: (first: Word) => boolean;
  /** Called once per name defined as a shell function (`name() { … }`). */
  onFunction?: (name: string) => void;
  /** Charged as the text is read (see budget.ts), so that an evaluation's deadline can stop a long read. */
  meter?: Meter;
  /**
   * Read the text as SQL handed to a database client: newlines are spaces (a statement spans lines, `;` ends it)
   * and `--` starts a comment instead of `#`.
   */
  sql?: boolean;
}

const NONE = 0;
const TO_FILE = 1;
const HEREDOC = 2;
const HEREDOC_TABS = 3;
const HERESTRING = 4;

const NO_CLOSER = -1;
const UNKNOWN = -2;
const C_TAB = 0x09;
const C_NL = 0x0a;
const C_CR = 0x0d;
const C_SPACE = 0x20;
const C_DQUOTE = 0x22;
const C_HASH = 0x23;
const C_DOLLAR = 0x24;
const C_AMP = 0x26;
const C_SQUOTE = 0x27;
const C_LPAREN = 0x28;
const C_RPAREN = 0x29;
const C_DASH = 0x2d;
const C_SEMI = 0x3b;
const C_LT = 0x3c;
const C_GT = 0x3e;
const C_BACKSLASH = 0x5c;
const C_BACKTICK = 0x60;
const C_LBRACE = 0x7b;
const C_PIPE = 0x7c;
const C_RBRACE = 0x7d;
const C_NBSP = 0xa0;

/** Characters that end a run of plain word characters outside quotes. */
const SPECIAL = new Uint8Array(128);
for (const ch of ' \t\n\r\f\v;&|()<>`\'"\\$') SPECIAL[ch.charCodeAt(0)] = 1;

/** What ends a run of skipped words: any character with a meaning to the shell except the blanks between words. */
const MEANINGFUL = /[\n\r\f\v;&|()<>`'"\\$#\u00a0]/g;

function isWordBreak(c: number): boolean {
  return c === C_SPACE || c === C_TAB;
}

/** Characters that end a run of plain characters inside double quotes. */
const DQUOTE_SPECIAL = new Uint8Array(128);
for (const ch of '"\\$`') DQUOTE_SPECIAL[ch.charCodeAt(0)] = 1;

interface WordBuilder {
  text: string;
  quoted: boolean;
  subs: number[] | undefined;
  pieces: number;
}

interface PendingHeredoc {
  command: SimpleCommand;
  delimiter: string;
  stripTabs: boolean;
}

interface ListFrame {
  quote: false;
  sub: number;
  closer: number;
  parens: number;
  command: SimpleCommand;
  previous: SimpleCommand | undefined;
  pipes: boolean;
  word: WordBuilder | null;
  redirect: number;
  heredocs: readonly PendingHeredoc[];
  /** The command being read has a here-document to come, so it counts even without words. */
  awaitsHeredoc: boolean;
  /** Commands ended on a line whose here-documents are still to be read: handed on once they are. */
  deferred: readonly SimpleCommand[];
  /** The command's first word said nobody reads it: later words are not kept. */
  skipping: boolean;
}

interface QuoteFrame {
  quote: true;
  list: ListFrame;
}

type Frame = ListFrame | QuoteFrame;

/** Splits `text` into simple commands, handing each to `sink` as it ends (see the file comment for the order). */
export function tokenize(text: string, sink: CommandSink, options: TokenizeOptions = {}): void {
  new Lexer(text, options.sql === true, sink, options).run();
}

/** Stands for every word of a skipped command: appends to it are dropped, so skipping allocates nothing. */
const SKIPPED_WORD: WordBuilder = Object.freeze({ text: '', quoted: false, subs: undefined, pieces: 0 }) as WordBuilder;

const NO_WORDS: readonly Word[] = Object.freeze([]);
const NO_TEXT: readonly string[] = Object.freeze([]);
const NO_HEREDOCS: readonly PendingHeredoc[] = Object.freeze([]);
const NO_COMMANDS: readonly SimpleCommand[] = Object.freeze([]);

export function newCommand(sub: number): SimpleCommand {
  return { words: [], redirects: NO_WORDS, stdin: NO_TEXT, pipeFrom: undefined, sub, carriesDownload: false, unread: false };
}

/** Appends to a list that starts as a shared frozen empty one (most commands never need their own). */
function pushItem<T>(list: readonly T[], item: T): T[] {
  const out = Object.isFrozen(list) ? [] : (list as T[]);
  out.push(item);
  return out;
}

function isBlank(c: number): boolean {
  return c === C_SPACE || c === C_TAB || c === C_CR || c === 0x0b || c === 0x0c || c === C_NBSP;
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c > 0x7f;
}

function isDigits(word: WordBuilder): boolean {
  if (word.quoted || word.subs !== undefined || word.text.length === 0 || word.text.length > 2) return false;
  for (let k = 0; k < word.text.length; k++) {
    const c = word.text.charCodeAt(k);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

class Lexer {
  readonly #text: string;
  readonly #sql: boolean;
  readonly #sink: CommandSink;
  readonly #worthReading: ((first: Word) => boolean) | undefined;
  readonly #onFunction: ((name: string) => void) | undefined;
  readonly #meter: Meter | undefined;
  readonly #functions = new Set<string>();
  readonly #stack: Frame[] = [];
  // Where the last quote of each kind stands, looked up on first use: a quote after it is never closed.
  #lastSingleAt = UNKNOWN;
  #lastDoubleAt = UNKNOWN;
  #lastBacktickAt = UNKNOWN;
  #i = 0;
  #subs = 0;
  #nesting = 0;

  constructor(text: string, sql: boolean, sink: CommandSink, options: TokenizeOptions) {
    this.#text = text;
    this.#sql = sql;
    this.#sink = sink;
    this.#worthReading = options.worthReading;
    this.#onFunction = options.onFunction;
    this.#meter = options.meter;
  }

  get #lastSingle(): number {
    if (this.#lastSingleAt === UNKNOWN) this.#lastSingleAt = this.#text.lastIndexOf("'");
    return this.#lastSingleAt;
  }

  get #lastDouble(): number {
    if (this.#lastDoubleAt === UNKNOWN) this.#lastDoubleAt = this.#text.lastIndexOf('"');
    return this.#lastDoubleAt;
  }

  get #lastBacktick(): number {
    if (this.#lastBacktickAt === UNKNOWN) this.#lastBacktickAt = this.#text.lastIndexOf('`');
    return this.#lastBacktickAt;
  }

  run(): void {
    this.#stack.push(this.#listFrame(-1, NO_CLOSER));
    const n = this.#text.length;
    const meter = this.#meter;
    let charged = 0;
    while (this.#i < n) {
      if (meter !== undefined && this.#i - charged >= CHARS_PER_CHARGE) {
        meter.spendChars(this.#i - charged);
        charged = this.#i;
      }
      const frame = this.#stack[this.#stack.length - 1]!;
      if (frame.quote) this.#stepQuoted(frame);
      else this.#stepList(frame);
    }
    while (this.#stack.length > 0) {
      const frame = this.#stack.pop()!;
      if (frame.quote) continue;
      this.#endCommand(frame, false);
      this.#flushDeferred(frame);
    }
  }

  #emit(command: SimpleCommand): void {
    this.#sink(command, this.#functions);
  }

  #flushDeferred(frame: ListFrame): void {
    if (frame.deferred.length === 0) return;
    const ready = frame.deferred;
    frame.deferred = NO_COMMANDS;
    for (const command of ready) this.#emit(command);
  }

  #listFrame(sub: number, closer: number): ListFrame {
    return {
      quote: false,
      sub,
      closer,
      parens: 0,
      command: newCommand(sub),
      previous: undefined,
      pipes: false,
      word: null,
      redirect: NONE,
      heredocs: NO_HEREDOCS,
      awaitsHeredoc: false,
      deferred: NO_COMMANDS,
      skipping: false,
    };
  }

  #stepList(frame: ListFrame): void {
    const text = this.#text;
    const i = this.#i;
    const c = text.charCodeAt(i);
    if (c < 128 && SPECIAL[c] === 0) {
      if (c === C_HASH && frame.word === null && !this.#sql) return this.#skipComment();
      if (c === C_DASH && this.#sql && frame.word === null && text.charCodeAt(i + 1) === C_DASH) return this.#skipComment();
      return this.#plainRun(frame);
    }
    if (c >= 128) {
      if (c === C_NBSP) return this.#blank(frame);
      return this.#plainRun(frame);
    }
    if (c === C_NL) {
      if (this.#sql) return this.#blank(frame);
      this.#endCommand(frame, false);
      this.#i = i + 1;
      this.#readHeredocs(frame);
      return;
    }
    if (isBlank(c)) return this.#blank(frame);
    switch (c) {
      case C_SEMI: {
        this.#endCommand(frame, false);
        let j = i + 1;
        while (text.charCodeAt(j) === C_SEMI) j++;
        this.#i = j;
        return;
      }
      case C_AMP:
        return this.#ampersand(frame);
      case C_PIPE:
        return this.#pipe(frame);
      case C_LPAREN:
        return this.#openParen(frame);
      case C_RPAREN:
        return this.#closeParen(frame);
      case C_BACKTICK:
        return this.#backtick(frame);
      case C_LT:
      case C_GT:
        return this.#redirection(frame, c);
      case C_BACKSLASH:
        return this.#escape(frame);
      case C_SQUOTE:
        return this.#singleQuote(frame);
      case C_DQUOTE:
        return this.#doubleQuote(frame);
      default:
        return this.#dollar(frame);
    }
  }

  #word(frame: ListFrame): WordBuilder {
    if (frame.word === null) {
      const dropped = frame.redirect === NONE && (frame.skipping || frame.command.words.length >= MAX_WORDS);
      frame.word = dropped ? SKIPPED_WORD : { text: '', quoted: false, subs: undefined, pieces: 0 };
    }
    return frame.word;
  }

  /** Appends `text[start, end)`: sliced only when the word is kept. */
  #appendRange(frame: ListFrame, start: number, end: number, quoted: boolean): void {
    const word = this.#word(frame);
    if (word === SKIPPED_WORD) return;
    if (quoted) word.quoted = true;
    if (word.pieces++ < MAX_WORD_PIECES) word.text += this.#text.slice(start, end);
  }

  #append(frame: ListFrame, chunk: string, quoted: boolean): void {
    const word = this.#word(frame);
    if (word === SKIPPED_WORD) return;
    if (quoted) word.quoted = true;
    if (word.pieces++ < MAX_WORD_PIECES) word.text += chunk;
  }

  #plainRun(frame: ListFrame): void {
    const text = this.#text;
    const start = this.#i;
    let j = start + 1;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (c < 128 ? SPECIAL[c] === 1 : c === C_NBSP) break;
      j++;
    }
    this.#appendRange(frame, start, j, false);
    this.#i = j;
    if (frame.word === SKIPPED_WORD) this.#skipWords(frame);
  }

  /**
   * In a command nobody reads, runs of plain words and blanks carry nothing: they are passed over in one loop (most
   * prose is such runs), up to the first character that means something to the shell.
   */
  #skipWords(frame: ListFrame): void {
    const text = this.#text;
    const meaningful = MEANINGFUL;
    let j = this.#i;
    for (;;) {
      meaningful.lastIndex = j;
      const found = meaningful.exec(text);
      j = found === null ? text.length : found.index;
      // `#` starts a comment only at the start of a word; inside one (`issue#4`) it is text.
      if (found === null || text.charCodeAt(j) !== C_HASH || isWordBreak(text.charCodeAt(j - 1))) break;
      j++;
    }
    if (j > this.#i && isWordBreak(text.charCodeAt(j - 1))) frame.word = null;
    this.#i = j;
  }

  #blank(frame: ListFrame): void {
    this.#endWord(frame);
    const text = this.#text;
    let j = this.#i + 1;
    while (j < text.length && isBlank(text.charCodeAt(j))) j++;
    this.#i = j;
  }

  #skipComment(): void {
    const end = this.#text.indexOf('\n', this.#i);
    this.#i = end === -1 ? this.#text.length : end;
  }

  #ampersand(frame: ListFrame): void {
    const next = this.#text.charCodeAt(this.#i + 1);
    if (next === C_GT) {
      this.#endWord(frame);
      frame.redirect = TO_FILE;
      this.#i += this.#text.charCodeAt(this.#i + 2) === C_GT ? 3 : 2;
      return;
    }
    this.#endCommand(frame, false);
    this.#i += next === C_AMP ? 2 : 1;
  }

  #pipe(frame: ListFrame): void {
    const next = this.#text.charCodeAt(this.#i + 1);
    if (next === C_PIPE) {
      this.#endCommand(frame, false);
      this.#i += 2;
      return;
    }
    this.#endCommand(frame, true);
    this.#i += next === C_AMP ? 2 : 1;
  }

  /**
   * `(` opens a subshell, or after a lone name (`name()`) a function definition, whose name is kept. Glued to a word
   * otherwise (`halt(stream)`, `worker.send(…)`), it is a syntax error to a shell: that command never runs, which is
   * how code read as a command line stays harmless.
   */
  #openParen(frame: ListFrame): void {
    const glued = frame.word !== null;
    this.#endWord(frame);
    const text = this.#text;
    let j = this.#i + 1;
    while (j < text.length && isBlank(text.charCodeAt(j))) j++;
    const words = frame.command.words;
    if (text.charCodeAt(j) === C_RPAREN && words.length === 1 && !words[0]!.quoted) {
      const name = words[0]!.text;
      if (!this.#functions.has(name)) {
        this.#functions.add(name);
        this.#onFunction?.(name);
      }
      frame.command = newCommand(frame.sub);
      frame.skipping = false;
      this.#i = j + 1;
      return;
    }
    if (glued) {
      frame.command = newCommand(frame.sub);
      frame.skipping = false;
      frame.awaitsHeredoc = false;
    }
    this.#endCommand(frame, false);
    frame.parens++;
    this.#i += 1;
  }

  #closeParen(frame: ListFrame): void {
    this.#i++;
    if (frame.parens > 0) {
      frame.parens--;
      this.#endCommand(frame, false);
    } else if (frame.closer === C_RPAREN) {
      this.#closeFrame(frame);
    } else {
      this.#endCommand(frame, false);
    }
  }

  #backtick(frame: ListFrame): void {
    this.#i++;
    if (frame.closer === C_BACKTICK) return this.#closeFrame(frame);
    if (this.#i > this.#lastBacktick) return this.#append(frame, '`', false);
    this.#openSubstitution(frame, C_BACKTICK);
  }

  #openSubstitution(owner: ListFrame, closer: number): void {
    if (this.#nesting >= MAX_NESTING) {
      this.#append(owner, closer === C_BACKTICK ? '`' : '$(', false);
      return;
    }
    this.#nesting++;
    const word = this.#word(owner);
    const id = this.#subs++;
    if (word !== SKIPPED_WORD && word.pieces++ < MAX_WORD_PIECES) {
      word.text += SUBSTITUTION_MARK;
      (word.subs ??= []).push(id);
    }
    this.#stack.push(this.#listFrame(id, closer));
  }

  #closeFrame(frame: ListFrame): void {
    this.#endCommand(frame, false);
    this.#flushDeferred(frame);
    if (this.#stack.length > 1) {
      this.#stack.pop();
      this.#nesting--;
    }
  }

  #redirection(frame: ListFrame, c: number): void {
    const text = this.#text;
    const i = this.#i;
    const next = text.charCodeAt(i + 1);
    if (next === C_LPAREN) {
      this.#endWord(frame);
      this.#i = i + 2;
      this.#openSubstitution(frame, C_RPAREN);
      return;
    }
    if (frame.word !== null && isDigits(frame.word)) frame.word = null;
    else this.#endWord(frame);
    if (c === C_LT && next === C_LT) {
      const third = text.charCodeAt(i + 2);
      if (third === C_LT) {
        frame.redirect = HERESTRING;
        this.#i = i + 3;
      } else if (third === C_DASH) {
        frame.redirect = HEREDOC_TABS;
        this.#i = i + 3;
      } else {
        frame.redirect = HEREDOC;
        this.#i = i + 2;
      }
      return;
    }
    frame.redirect = TO_FILE;
    const doubled = next === C_GT || next === C_AMP || next === C_PIPE || (c === C_LT && next === C_GT);
    this.#i = i + (doubled ? 2 : 1);
  }

  #escape(frame: ListFrame): void {
    const text = this.#text;
    const i = this.#i;
    if (i + 1 >= text.length) {
      this.#append(frame, '\\', false);
      this.#i = i + 1;
      return;
    }
    if (text.charCodeAt(i + 1) !== C_NL) this.#append(frame, text[i + 1]!, true);
    this.#i = i + 2;
  }

  #singleQuote(frame: ListFrame): void {
    const text = this.#text;
    const i = this.#i;
    const apostrophe = isLetter(text.charCodeAt(i - 1)) && isLetter(text.charCodeAt(i + 1));
    if (apostrophe || i >= this.#lastSingle) {
      this.#append(frame, "'", false);
      this.#i = i + 1;
      return;
    }
    const end = text.indexOf("'", i + 1);
    this.#appendRange(frame, i + 1, end, true);
    this.#i = end + 1;
  }

  #doubleQuote(frame: ListFrame): void {
    const i = this.#i;
    this.#i = i + 1;
    if (i >= this.#lastDouble) return this.#append(frame, '"', false);
    const word = this.#word(frame);
    if (word !== SKIPPED_WORD) word.quoted = true;
    this.#stack.push({ quote: true, list: frame });
  }

  #dollar(frame: ListFrame): void {
    const text = this.#text;
    const i = this.#i;
    const next = text.charCodeAt(i + 1);
    if (next === C_LPAREN) {
      this.#i = i + 2;
      return this.#openSubstitution(frame, C_RPAREN);
    }
    if (next === C_LBRACE) return this.#parameter(frame);
    if (next === C_SQUOTE) return this.#ansiQuote(frame);
    if (next === C_DQUOTE && i + 1 < this.#lastDouble) {
      this.#i = i + 1;
      return;
    }
    this.#append(frame, '$', false);
    this.#i = i + 1;
  }

  /** `${…}` with nested braces, kept as written: the detectors read `${TMPDIR}` and `${HOME}` by name. */
  #parameter(frame: ListFrame): void {
    const text = this.#text;
    const start = this.#i;
    let depth = 0;
    let j = start + 1;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === C_LBRACE) depth++;
      else if (c === C_RBRACE && --depth === 0) break;
    }
    const end = Math.min(j + 1, text.length);
    this.#appendRange(frame, start, end, false);
    this.#i = end;
  }

  /** `$'…'`: ANSI-C quoting, text to the shell (escapes are left as written). */
  #ansiQuote(frame: ListFrame): void {
    const text = this.#text;
    const start = this.#i + 2;
    let j = start;
    while (j < text.length && text.charCodeAt(j) !== C_SQUOTE) j += text.charCodeAt(j) === C_BACKSLASH ? 2 : 1;
    if (j >= text.length) {
      this.#append(frame, '$', false);
      this.#i = start - 1;
      return;
    }
    this.#appendRange(frame, start, j, true);
    this.#i = j + 1;
  }

  #stepQuoted(frame: QuoteFrame): void {
    const text = this.#text;
    const i = this.#i;
    const c = text.charCodeAt(i);
    const list = frame.list;
    if (c === C_DQUOTE) {
      this.#stack.pop();
      this.#i = i + 1;
      return;
    }
    if (c === C_BACKSLASH) {
      const next = text.charCodeAt(i + 1);
      if (next === C_NL) this.#i = i + 2;
      else if (next === C_DOLLAR || next === C_BACKTICK || next === C_DQUOTE || next === C_BACKSLASH) {
        this.#append(list, text[i + 1]!, true);
        this.#i = i + 2;
      } else {
        this.#append(list, '\\', true);
        this.#i = i + 1;
      }
      return;
    }
    if (c === C_DOLLAR) {
      const next = text.charCodeAt(i + 1);
      if (next === C_LPAREN) {
        this.#i = i + 2;
        return this.#openSubstitution(list, C_RPAREN);
      }
      if (next === C_LBRACE) return this.#parameter(list);
      this.#append(list, '$', true);
      this.#i = i + 1;
      return;
    }
    if (c === C_BACKTICK) {
      this.#i = i + 1;
      if (i >= this.#lastBacktick) return this.#append(list, '`', true);
      return this.#openSubstitution(list, C_BACKTICK);
    }
    let j = i + 1;
    while (j < text.length) {
      const d = text.charCodeAt(j);
      if (d < 128 && DQUOTE_SPECIAL[d] === 1) break;
      j++;
    }
    this.#appendRange(list, i, j, true);
    this.#i = j;
  }

  #endWord(frame: ListFrame): void {
    const word = frame.word;
    if (word === null) return;
    frame.word = null;
    const redirect = frame.redirect;
    frame.redirect = NONE;
    const command = frame.command;
    if (redirect === NONE) {
      if (word === SKIPPED_WORD || command.words.length >= MAX_WORDS) return;
      command.words.push(word);
      if (command.words.length === 1 && this.#worthReading !== undefined && !this.#worthReading(word)) frame.skipping = true;
    }
    else if (redirect === TO_FILE) command.redirects = pushItem(command.redirects, word);
    else if (redirect === HERESTRING) command.stdin = pushItem(command.stdin, word.text);
    else {
      frame.heredocs = pushItem(frame.heredocs, { command, delimiter: word.text, stripTabs: redirect === HEREDOC_TABS });
      frame.awaitsHeredoc = true;
    }
  }

  #endCommand(frame: ListFrame, pipes: boolean): void {
    this.#endWord(frame);
    frame.redirect = NONE;
    const command = frame.command;
    const empty = command.words.length === 0 && command.redirects.length === 0 && command.stdin.length === 0;
    if (empty && !frame.awaitsHeredoc) {
      if (!pipes) frame.pipes = false;
      frame.skipping = false;
      return;
    }
    const previous = frame.previous;
    command.unread = frame.skipping;
    if (frame.pipes && previous !== undefined) {
      command.pipeFrom = previous;
      // Readers look one stage upstream; once that stage has been read its own link is dead weight, and keeping
      // it would hold every stage of a long pipeline in memory.
      if (frame.deferred.length === 0) previous.pipeFrom = undefined;
    }
    if (frame.heredocs.length > 0) frame.deferred = pushItem(frame.deferred, command);
    else this.#emit(command);
    frame.previous = command;
    frame.pipes = pipes;
    frame.command = newCommand(frame.sub);
    frame.awaitsHeredoc = false;
    frame.skipping = false;
  }

  /** After a newline: the bodies of the here-documents opened on the line just ended, in order. */
  #readHeredocs(frame: ListFrame): void {
    if (frame.heredocs.length === 0) return;
    const text = this.#text;
    for (const pending of frame.heredocs) {
      const start = this.#i;
      let p = start;
      let bodyEnd = text.length;
      while (p < text.length) {
        let lineEnd = text.indexOf('\n', p);
        if (lineEnd === -1) lineEnd = text.length;
        if (isDelimiterLine(text, p, lineEnd, pending)) {
          bodyEnd = p;
          p = Math.min(lineEnd + 1, text.length);
          break;
        }
        p = lineEnd + 1;
      }
      if (p > text.length) p = text.length;
      pending.command.stdin = pushItem(pending.command.stdin, text.slice(start, Math.min(bodyEnd, text.length)));
      this.#i = p;
    }
    frame.heredocs = NO_HEREDOCS;
    this.#flushDeferred(frame);
  }
}

function isDelimiterLine(text: string, start: number, end: number, pending: PendingHeredoc): boolean {
  let p = start;
  if (pending.stripTabs) while (p < end && text.charCodeAt(p) === C_TAB) p++;
  let e = end;
  if (e > p && text.charCodeAt(e - 1) === C_CR) e--;
  return e - p === pending.delimiter.length && text.startsWith(pending.delimiter, p);
}

