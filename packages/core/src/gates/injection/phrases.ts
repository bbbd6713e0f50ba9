/**
 * Word-sequence rules over the tokens of tokens.ts: "ignore|disregard ~3 previous|prior ~2 instructions" reads as
 * "ignore or disregard, then within 3 more words previous or prior, then within 2 more words instructions", all in
 * one sentence. Each step looks at a bounded window after the previous one and takes the first word that fits, so a
 * rule costs at most (steps × window) look-ups per start word: the scan is linear in the text whatever its content.
 */
import { EMAIL, PATH, SECRET_PATH, URL, type Tokens } from './tokens.js';
import type { InjectionKind } from './kinds.js';

export interface PhraseRule {
  /** Stable id, reported in `details` (never the matched text). */
  id: string;
  kind: InjectionKind;
  /** Evidence this rule adds; a text fails at the gate's threshold (1 by default). */
  weight: number;
  steps: readonly Step[];
}

interface Step {
  words: ReadonlySet<string>;
  /** Words that may stand between the previous step and this one. */
  gap: number;
}

export const MAX_GAP = 8;

const PLACEHOLDERS: Readonly<Record<string, string>> = { URL, EMAIL, PATH, SECRET_PATH };

/** Builds a rule from its pattern; throws on a malformed pattern (rules are constants, so this fails at load). */
export function phraseRule(id: string, kind: InjectionKind, weight: number, pattern: string): PhraseRule {
  const steps: Step[] = [];
  let gap = 0;
  for (const part of pattern.split(' ')) {
    if (part.length === 0) continue;
    if (part.startsWith('~')) {
      gap = Number(part.slice(1));
      if (!Number.isInteger(gap) || gap < 0 || gap > MAX_GAP) throw new Error(`rule ${id}: bad gap ${part}`);
      continue;
    }
    const words = part.split('|').map((word) => PLACEHOLDERS[word] ?? word);
    steps.push({ words: new Set(words), gap });
    gap = 0;
  }
  if (steps.length === 0) throw new Error(`rule ${id}: empty pattern`);
  return { id, kind, weight, steps };
}

/** All rules of a family, indexed by their first word so that a text word starts only the rules it can start. */
export class PhraseMatcher {
  readonly #byFirstWord = new Map<string, PhraseRule[]>();

  constructor(rules: readonly PhraseRule[]) {
    for (const rule of rules) {
      for (const word of rule.steps[0]!.words) {
        const list = this.#byFirstWord.get(word);
        if (list === undefined) this.#byFirstWord.set(word, [rule]);
        else list.push(rule);
      }
    }
  }

  /** Calls `hit` once per rule that matches somewhere in `tokens`; `hit` returning true stops the scan. */
  scan(tokens: Tokens, hit: (rule: PhraseRule) => boolean): void {
    const seen = new Set<PhraseRule>();
    const { words } = tokens;
    for (let i = 0; i < words.length; i++) {
      const rules = this.#byFirstWord.get(words[i]!);
      if (rules === undefined) continue;
      for (const rule of rules) {
        if (seen.has(rule) || !matchesAt(rule, tokens, i)) continue;
        seen.add(rule);
        if (hit(rule)) return;
      }
    }
  }
}

function matchesAt(rule: PhraseRule, tokens: Tokens, start: number): boolean {
  const { words, sentence } = tokens;
  const inSentence = sentence[start];
  let at = start;
  for (let s = 1; s < rule.steps.length; s++) {
    const step = rule.steps[s]!;
    const last = Math.min(words.length - 1, at + 1 + step.gap);
    let found = -1;
    for (let j = at + 1; j <= last; j++) {
      if (sentence[j] !== inSentence) break;
      if (step.words.has(words[j]!)) {
        found = j;
        break;
      }
    }
    if (found < 0) return false;
    at = found;
  }
  return true;
}
