/**
 * Word-sequence rules over the tokens of tokens.ts: "ignore|disregard ~3 previous|prior ~2 instructions" reads as
 * "ignore or disregard, then within 3 more words previous or prior, then within 2 more words instructions", all in
 * one sentence. Each step looks at a bounded window after the previous one and takes the first word that fits, so a
 * rule costs at most (steps × window) look-ups per start word: the scan is linear in the text whatever its content.
 */
import { EMAIL, PATH, SECRET_PATH, URL, type Tokens } from './tokens.js';
import { VOCABULARY } from './vocabulary.js';
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

interface CompiledStep {
  /** Membership by vocabulary id: 1 when the word fits this step. */
  member: Uint8Array;
  gap: number;
}

interface CompiledRule {
  rule: PhraseRule;
  steps: CompiledStep[];
}

/**
 * All rules of a family. A text's tokens are vocabulary ids (tokens.ts); every step test is an array read, and a
 * token starts only the rules whose first step holds its word.
 */
export class PhraseMatcher {
  readonly #byFirstWord: CompiledRule[][] = [];

  constructor(rules: readonly PhraseRule[]) {
    // Words must be numbered before the membership arrays are sized.
    for (const rule of rules) for (const step of rule.steps) for (const word of step.words) VOCABULARY.add(word);
    const size = VOCABULARY.size;
    for (const rule of rules) {
      const steps = rule.steps.map((step) => {
        const member = new Uint8Array(size);
        for (const word of step.words) member[VOCABULARY.lookup(word)] = 1;
        return { member, gap: step.gap };
      });
      for (const word of rule.steps[0]!.words) (this.#byFirstWord[VOCABULARY.lookup(word)] ??= []).push({ rule, steps });
    }
  }

  /** Calls `hit` once per rule that matches somewhere in `tokens`; `hit` returning true stops the scan. */
  scan(tokens: Tokens, hit: (rule: PhraseRule) => boolean): void {
    const { ids, length } = tokens;
    // Created on the first hit: most texts have none, and this runs once per string of an output.
    let seen: Set<PhraseRule> | undefined;
    for (let i = 0; i < length; i++) {
      const id = ids[i]!;
      if (id < 0) continue;
      const rules = this.#byFirstWord[id];
      if (rules === undefined) continue;
      for (const compiled of rules) {
        if (seen?.has(compiled.rule) || !matchesAt(compiled.steps, tokens, i)) continue;
        (seen ??= new Set()).add(compiled.rule);
        if (hit(compiled.rule)) return;
      }
    }
  }
}

function matchesAt(steps: readonly CompiledStep[], tokens: Tokens, start: number): boolean {
  const { ids, sentence, length } = tokens;
  const inSentence = sentence[start];
  let at = start;
  for (let s = 1; s < steps.length; s++) {
    const step = steps[s]!;
    const last = Math.min(length - 1, at + 1 + step.gap);
    let found = -1;
    for (let j = at + 1; j <= last; j++) {
      if (sentence[j] !== inSentence) break;
      const id = ids[j]!;
      if (id >= 0 && step.member[id] === 1) {
        found = j;
        break;
      }
    }
    if (found < 0) return false;
    at = found;
  }
  return true;
}
