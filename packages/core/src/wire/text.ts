/** With the u flag a surrogate pair reads as one code point, so this matches only a lone half of one. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * False for text with a lone UTF-16 surrogate (JSON `"\ud800"` parses to one). Such text has no UTF-8 form: stored,
 * every lone surrogate becomes U+FFFD, so different ids would collapse into one that no request can name again. The
 * server refuses such identifiers.
 */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** Cuts to at most `max` UTF-16 units without leaving half of a surrogate pair at the end. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
