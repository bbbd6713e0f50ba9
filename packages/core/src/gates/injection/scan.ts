/**
 * Reads one string for every enabled kind of injection evidence and weighs it. Raw-text checks (invisible
 * characters, template markers, hidden tags and comments) use `indexOf` and single passes; the phrase rules of all
 * enabled kinds run together over one tokenisation. Total work is linear in the length of the string.
 */
import { CONCEALMENT_RULES } from './concealment.js';
import { EXFILTRATION_RULES } from './exfiltration.js';
import { findHiddenMarkup, HIDDEN_DIRECTIVE_RULES } from './hidden-directive.js';
import { findInvisible } from './invisible.js';
import type { Finding, InjectionKind } from './kinds.js';
import type { Meter } from '../../budget.js';
import { OVERRIDE_RULES } from './override.js';
import { PhraseMatcher, type PhraseRule } from './phrases.js';
import { findRoleMarkers } from './role-markers.js';
import { tokenize } from './tokens.js';

const PHRASE_RULES: readonly PhraseRule[] = [
  ...OVERRIDE_RULES,
  ...HIDDEN_DIRECTIVE_RULES,
  ...CONCEALMENT_RULES,
  ...EXFILTRATION_RULES,
];

/** No marker or phrase fits in fewer characters ("[inst]"); shorter strings are read for invisible characters only. */
export const SHORTEST_EVIDENCE = 6;

export type EnabledKinds = Readonly<Record<InjectionKind, boolean>>;

export interface InjectionScanner {
  /**
   * Every finding of the enabled kinds in `text` (rules fire once per text). With a meter, the reading is accounted
   * to the evaluation's budget and throws `BudgetExceeded` once it is spent.
   */
  findings(text: string, meter?: Meter): Finding[];
}

export function injectionScanner(enabled: EnabledKinds): InjectionScanner {
  const phrases = new PhraseMatcher(PHRASE_RULES.filter((rule) => enabled[rule.kind]));
  return {
    findings(text, meter) {
      const out: Finding[] = [];
      if (text.length < SHORTEST_EVIDENCE) {
        if (enabled.invisible) findInvisible(text, out);
        return out;
      }
      const tokens = tokenize(text, meter);
      // Every invisible character lies at or above U+180E; the tokenizer has already looked at each one.
      if (enabled.invisible && tokens.wide) findInvisible(text, out);
      // Lower-cased only when a marker check needs it (slow on long non-ASCII text; most text has no "<", "[", "#").
      let lower: string | undefined;
      const lowered = (): string => (lower ??= text.toLowerCase());
      if (enabled.roleMarker) findRoleMarkers(text, tokens.marks, lowered, out);
      if (enabled.hiddenDirective) findHiddenMarkup(tokens.marks, lowered, out);
      // The marker checks and the phrase rules read the text about as much again as the tokenizer did.
      meter?.spendChars(text.length);
      phrases.scan(tokens, (rule) => {
        out.push({ kind: rule.kind, rule: rule.id, weight: rule.weight });
        return false;
      });
      return out;
    },
  };
}

/** The evidence of `findings` added up (each rule counts once). */
export function weigh(findings: readonly Finding[]): number {
  let total = 0;
  for (const finding of findings) total += finding.weight;
  return total;
}
