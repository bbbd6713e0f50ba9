/**
 * Directives hidden from the human reader but read by the model: `<IMPORTANT>`-style tags in tool descriptions,
 * HTML comments that address the AI or give it orders, text that calls itself hidden or invisible to humans, and
 * notes addressed to "the AI agent" or "automated analysis software".
 *
 * Tags are found in one pass (marker-set.ts); each HTML comment is read once and at most `MAX_COMMENT` characters of it, so the
 * work stays linear even when a comment never closes.
 */
import { ADDRESSEE } from './addressee.js';
import type { Finding } from './kinds.js';
import { MarkerSet } from './marker-set.js';
import { phraseRule, PhraseMatcher, type PhraseRule } from './phrases.js';
import { MARK_ANGLE, tokenize } from './tokens.js';

const HIDDEN_TAGS = new MarkerSet(['<important>', '</important>', '<secret>', '<hidden>', '<critical>']);

const MAX_COMMENT = 400;

const COMMENT_RULES: readonly PhraseRule[] = [
  phraseRule('comment-addressee', 'hiddenDirective', 0.5, ADDRESSEE),
  phraseRule('comment-directive', 'hiddenDirective', 0.5, 'instruction|instructions|directive|injection'),
  phraseRule('comment-order', 'hiddenDirective', 0.5, 'output|print|say|respond|reply|echo|ignore|state|must'),
];
const COMMENT_MATCHER = new PhraseMatcher(COMMENT_RULES);

export const HIDDEN_DIRECTIVE_RULES: readonly PhraseRule[] = [
  phraseRule('hidden-instruction', 'hiddenDirective', 1, 'hidden|shadow|secret|embedded|invisible ~1 instruction|instructions|directive|directives'),
  phraseRule('invisible-to-humans', 'hiddenDirective', 1, 'invisible|hidden ~1 to|from ~1 humans|human|users|user|reader|readers'),
  phraseRule('addressed-instruction', 'hiddenDirective', 1, 'ai|agent ~0 instruction|instructions|directive'),
  phraseRule('addressed-note', 'hiddenDirective', 1, `note|message|attention ~1 to|for ~2 ${ADDRESSEE}|automated`),
  phraseRule('hidden-field', 'hiddenDirective', 0.5, '_hidden|__hidden|_instructions|__instructions|_system_prompt|_ai_instructions'),
  phraseRule('automated-reader', 'hiddenDirective', 0.5, 'automated ~1 screening|analysis|review|scanning ~1 systems|software|tools'),
];

/** `marks` are the tokenizer's MARK_* bits: without a "<" there is neither a tag nor a comment. */
export function findHiddenMarkup(marks: number, lowered: () => string, out: Finding[]): void {
  if (!(marks & MARK_ANGLE)) return;
  const lower = lowered();
  if (HIDDEN_TAGS.foundIn(lower)) {
    out.push({ kind: 'hiddenDirective', rule: 'hidden-tag', weight: 1 });
  }
  if (hasDirectiveComment(lower)) out.push({ kind: 'hiddenDirective', rule: 'directive-comment', weight: 1 });
}

/** True when some HTML comment shows two of: an AI addressee, the word instruction, an order to answer. */
function hasDirectiveComment(lower: string): boolean {
  let from = lower.indexOf('<!--');
  while (from >= 0) {
    const bodyStart = from + 4;
    const close = lower.indexOf('-->', bodyStart);
    const bodyEnd = close < 0 ? Math.min(lower.length, bodyStart + MAX_COMMENT) : Math.min(close, bodyStart + MAX_COMMENT);
    let evidence = 0;
    COMMENT_MATCHER.scan(tokenize(lower.slice(bodyStart, bodyEnd)), (rule) => (evidence += rule.weight) >= 1);
    if (evidence >= 1) return true;
    // An unclosed comment swallows the rest of the text, as a browser would: nothing after it is another comment.
    if (close < 0) return false;
    from = lower.indexOf('<!--', close + 3);
  }
  return false;
}
