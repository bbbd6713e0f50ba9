import { ALNUM, DIGIT, classAt, runEnd } from './chars.js';
import { looksRandom } from './randomness.js';
import type { CredentialMatch } from './match.js';
import type { PrefixRule } from './vendors.js';

/** Vendor bodies are random by construction; below this many bits per character a body is made up. */
const DEFAULT_MIN_ENTROPY = 2.8;

/** End of the token of `rule` whose prefix starts at `start`, or -1 when the body does not have the rule's shape. */
export function prefixRuleEnd(text: string, start: number, rule: PrefixRule, match: CredentialMatch): number {
  const bodyStart = start + rule.prefix.length;
  const bodyEnd = runEnd(text, bodyStart, rule.body, rule.max);
  if (bodyEnd > match.scanned) match.scanned = bodyEnd;
  const length = bodyEnd - bodyStart;
  if (length < rule.min || length > rule.max) return -1;
  // A fixed-length body followed by more letters or digits is part of a longer word, not this token.
  if ((classAt(text, bodyEnd) & ALNUM) !== 0 || isMasked(text, bodyEnd)) return -1;
  if (rule.digit !== false && !hasClass(text, bodyStart, bodyEnd, DIGIT)) return -1;
  if (!looksRandom(text, bodyStart, bodyEnd, rule.minEntropy ?? DEFAULT_MIN_ENTROPY)) return -1;
  if (rule.check !== undefined && !rule.check(text, bodyStart, bodyEnd)) return -1;
  return bodyEnd;
}

/** A value cut short for display (`ops_eyJzaWdu...`, `xoxp-…-#####`, `sk-****`) is a redacted example. */
export function isMasked(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (c === 42 || c === 35 || c === 0x2026) return true; // * # …
  return c === 46 && text.charCodeAt(at + 1) === 46 && text.charCodeAt(at + 2) === 46;
}

function hasClass(text: string, start: number, end: number, mask: number): boolean {
  for (let i = start; i < end; i++) if ((classAt(text, i) & mask) !== 0) return true;
  return false;
}
