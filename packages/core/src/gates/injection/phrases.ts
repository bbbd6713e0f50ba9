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
  /** Position in the matcher's rule list, for per-scan state. */
  index: number;
}

/**
 * All rules of a family. A text's tokens are vocabulary ids (tokens.ts); every step test is an array read, and a
 * token starts only the rules whose first step holds its word.
 */
export class PhraseMatcher {
  readonly #byFirstWord: CompiledRule[][] = [];
  readonly #ruleCount: number;

  constructor(rules: readonly PhraseRule[]) {
    // Words must be numbered before the membership arrays are sized.
    for (const rule of rules) for (const step of rule.steps) for (const word of step.words) VOCABULARY.add(word);
    const size = VOCABULARY.size;
    rules.forEach((rule, index) => {
      const steps = rule.steps.map((step) => {
        const member = new Uint8Array(size);
        for (const word of step.words) member[VOCABULARY.lookup(word)] = 1;
        return { member, gap: step.gap };
      });
      const compiled = { rule, steps, index };
      for (const word of rule.steps[0]!.words) (this.#byFirstWord[VOCABULARY.lookup(word)] ??= []).push(compiled);
    });
    this.#ruleCount = rules.length;
  }

  /** Calls `hit` once per rule that matches somewhere in `tokens`; `hit` returning true stops the scan. */
  scan(tokens: Tokens, hit: (rule: PhraseRule) => boolean): void {
    const { ids, length } = tokens;
    // Created on the first hit: most texts have none, and this runs once per string of an output.
    let seen: Set<PhraseRule> | undefined;
    // Per rule, tokens up to here are known not to fit its second step (see matchesAt); created on first use.
    let clearUntil: Int32Array | undefined;
    for (let i = 0; i < length; i++) {
      const id = ids[i]!;
      if (id < 0) continue;
      const rules = this.#byFirstWord[id];
      if (rules === undefined) continue;
      clearUntil ??= new Int32Array(this.#ruleCount);
      for (const compiled of rules) {
        if (seen?.has(compiled.rule) || !matchesAt(compiled, tokens, i, clearUntil)) continue;
        (seen ??= new Set()).add(compiled.rule);
        if (hit(compiled.rule)) return;
      }
    }
  }
}

/**
 * True when `compiled` matches from token `start`. A second-step window that held no fitting token is remembered
 * (`clearUntil`), so the next attempt of the same rule reads only the tokens its window adds: a text of repeated
 * start words ("ignore ignore …") costs one look per rule and token, not one per window position.
 */
function matchesAt(compiled: CompiledRule, tokens: Tokens, start: number, clearUntil: Int32Array): boolean {
  const { ids, sentence, length } = tokens;
  const { steps, index } = compiled;
  const inSentence = sentence[start];
  let at = start;
  for (let s = 1; s < steps.length; s++) {
    const step = steps[s]!;
    const last = Math.min(length - 1, at + 1 + step.gap);
    let found = -1;
    let j = s === 1 ? Math.max(at + 1, clearUntil[index]!) : at + 1;
    for (; j <= last; j++) {
      if (sentence[j] !== inSentence) break;
      const id = ids[j]!;
      if (id >= 0 && step.member[id] === 1) {
        found = j;
        break;
      }
    }
    if (found < 0) {
      // Tokens before j hold nothing for step 1 (a sentence break ends every window that reaches it).
      if (s === 1) clearUntil[index] = j;
      return false;
    }
    at = found;
  }
  return true;
}
