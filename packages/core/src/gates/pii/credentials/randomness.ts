/**
 * Real secrets are random; placeholders, documented sample keys and templates are not. One generic test for every
 * rule, never a list of known values: a secret fails it when it repeats a character (`xxxx…`, `0000…`), runs
 * through the alphabet (`abcdefgh…`, `12345678`), spells a placeholder word (`EXAMPLE`, `your_key_here`) or has too
 * little entropy for its length.
 */

/** A character repeated this many times in a row marks a placeholder (`ghp_xxxx…`, `AKIAXXXX…`). */
const MAX_REPEAT = 5;
/** This many consecutive ascending characters (`abcdefgh`, `12345678`) mark a hand-typed value. */
const MAX_SEQUENCE = 7;

/** Words that only occur in made-up values, anywhere in the value, in any case. */
const PLACEHOLDER_WORDS = /example|placeholder|redacted|dummy|sample|changeme|your|here|fake|replace|insert/i;

/** Longest run of one character, case-insensitively (`xXXXX` is a run of five). */
function longestRepeat(text: string, start: number, end: number): number {
  let longest = 0;
  let run = 0;
  let previous = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) | 0x20;
    run = c === previous ? run + 1 : 1;
    if (run > longest) longest = run;
    previous = c;
  }
  return longest;
}

/** Longest run of characters each one above the previous (`abcd`, `6789`), case-insensitively. */
function longestSequence(text: string, start: number, end: number): number {
  let longest = 0;
  let run = 0;
  let previous = -2;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) | 0x20;
    run = c === previous + 1 ? run + 1 : 1;
    if (run > longest) longest = run;
    previous = c;
  }
  return longest;
}

const counts = new Uint16Array(128);

/** Shannon entropy in bits per character of [start, end) (code units above 127 share one bucket). */
export function entropy(text: string, start: number, end: number): number {
  const length = end - start;
  if (length <= 0) return 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    counts[c < 128 ? c : 0]!++;
  }
  // Each distinct character is summed once, on its first occurrence, and its count reset for the next call.
  let bits = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const bucket = c < 128 ? c : 0;
    const n = counts[bucket]!;
    if (n === 0) continue;
    const p = n / length;
    bits -= p * Math.log2(p);
    counts[bucket] = 0;
  }
  return bits;
}

export function hasPlaceholderWord(text: string, start: number, end: number): boolean {
  return PLACEHOLDER_WORDS.test(text.slice(start, end));
}

/**
 * Whether [start, end) looks like a random secret rather than a placeholder: no long repeats or alphabet runs, no
 * placeholder word, and at least `minEntropy` bits per character.
 */
export function looksRandom(text: string, start: number, end: number, minEntropy: number): boolean {
  if (end - start < 4) return false;
  if (longestRepeat(text, start, end) >= MAX_REPEAT + 1) return false;
  if (longestSequence(text, start, end) >= MAX_SEQUENCE + 1) return false;
  return entropy(text, start, end) >= minEntropy && !hasPlaceholderWord(text, start, end);
}
