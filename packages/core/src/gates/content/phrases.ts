/**
 * Finds any of a set of user phrases in a text, as whole words, ignoring case, apostrophe style (’ ' `), curly versus
 * straight double quotes, markdown emphasis (* _ ~), zero-width characters and runs of whitespace.
 *
 * Built on Aho–Corasick over a folded copy of the text, so one pass answers for every phrase: the cost is linear in
 * the text and does not grow with the number of phrases (100 phrases over 1 MB would otherwise mean 100 scans).
 */
import { isWhitespace, isZeroWidth } from '../../text/chars.js';

const SPACE = 32;
const APOSTROPHE = 39;
const DOUBLE_QUOTE = 34;
/** Marks a character that folding removes (markdown emphasis, zero-width characters). */
const DROPPED = -1;

const APOSTROPHES = new Set([0x2018, 0x2019, 0x201a, 0x201b, 0x02bc, 0x2032, 0xb4]);
const DOUBLE_QUOTES = new Set([0x201c, 0x201d, 0x201e, 0x201f, 0xab, 0xbb]);

const lowerCache = new Map<number, number>();
const wordCache = new Map<number, boolean>();

/** One UTF-16 code unit after folding, or DROPPED. Whitespace folds to a space; runs are collapsed by the caller. */
function foldCode(code: number): number {
  if (code >= 65 && code <= 90) return code + 32;
  if (isWhitespace(code)) return SPACE;
  // Zero-width characters inside a word are skipped, so "can\u200Bt" reads as "cant" does.
  if (isZeroWidth(code)) return DROPPED;
  if (code < 128) return code === 42 || code === 95 || code === 126 ? DROPPED : code === 96 ? APOSTROPHE : code;
  if (APOSTROPHES.has(code)) return APOSTROPHE;
  if (DOUBLE_QUOTES.has(code)) return DOUBLE_QUOTE;
  let lower = lowerCache.get(code);
  if (lower === undefined) {
    const folded = String.fromCharCode(code).toLowerCase();
    lower = folded.length === 1 ? folded.charCodeAt(0) : code;
    if (lowerCache.size < 4096) lowerCache.set(code, lower);
  }
  return lower;
}

function isWordCode(code: number): boolean {
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
  let word = wordCache.get(code);
  if (word === undefined) {
    word = /[\p{L}\p{N}]/u.test(String.fromCharCode(code));
    if (wordCache.size < 4096) wordCache.set(code, word);
  }
  return word;
}

/** Folds `text` to code units: lower case, one apostrophe and quote style, no emphasis marks, single spaces. */
export function foldText(text: string): Uint16Array {
  const out = new Uint16Array(text.length);
  let length = 0;
  let lastWasSpace = true; // also trims leading whitespace
  for (let i = 0; i < text.length; i++) {
    const code = foldCode(text.charCodeAt(i));
    if (code === DROPPED) continue;
    if (code === SPACE) {
      if (lastWasSpace) continue;
      lastWasSpace = true;
    } else {
      lastWasSpace = false;
    }
    out[length++] = code;
  }
  if (length > 0 && out[length - 1] === SPACE) length--;
  return out.subarray(0, length);
}

interface PhraseEnd {
  length: number;
  /** The phrase starts/ends with a letter or digit, so the text must not continue the word there. */
  wordStart: boolean;
  wordEnd: boolean;
}

export class PhraseSet {
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  private readonly ends: PhraseEnd[][] = [[]];

  /** Phrases that fold to nothing are rejected by the caller; here they would match everywhere. */
  constructor(phrases: readonly string[]) {
    for (const phrase of phrases) this.add(foldText(phrase));
    this.link();
  }

  private add(folded: Uint16Array): void {
    let state = 0;
    for (const code of folded) {
      let target = this.next[state]!.get(code);
      if (target === undefined) {
        target = this.next.length;
        this.next.push(new Map());
        this.fail.push(0);
        this.ends.push([]);
        this.next[state]!.set(code, target);
      }
      state = target;
    }
    this.ends[state]!.push({
      length: folded.length,
      wordStart: isWordCode(folded[0]!),
      wordEnd: isWordCode(folded[folded.length - 1]!),
    });
  }

  /** Breadth-first failure links; every state also inherits the phrase ends of its failure state. */
  private link(): void {
    const queue: number[] = [];
    for (const child of this.next[0]!.values()) queue.push(child);
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      for (const [code, child] of this.next[state]!) {
        let fallback = this.fail[state]!;
        while (fallback !== 0 && !this.next[fallback]!.has(code)) fallback = this.fail[fallback]!;
        const target = this.next[fallback]!.get(code);
        this.fail[child] = target !== undefined && target !== child ? target : 0;
        this.ends[child] = [...this.ends[child]!, ...this.ends[this.fail[child]!]!];
        queue.push(child);
      }
    }
  }

  /** True when some phrase occurs in `text` as whole words. */
  matches(text: string): boolean {
    const folded = foldText(text);
    let state = 0;
    for (let i = 0; i < folded.length; i++) {
      const code = folded[i]!;
      while (state !== 0 && !this.next[state]!.has(code)) state = this.fail[state]!;
      state = this.next[state]!.get(code) ?? 0;
      for (const end of this.ends[state]!) {
        const start = i - end.length + 1;
        if (end.wordStart && start > 0 && isWordCode(folded[start - 1]!)) continue;
        if (end.wordEnd && i + 1 < folded.length && isWordCode(folded[i + 1]!)) continue;
        return true;
      }
    }
    return false;
  }
}
