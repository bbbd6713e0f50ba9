/**
 * Keyword context: some numbers are only personal data when the text says so ("Phone: 467 3395", "SSN 123456789").
 * Keyword positions are found lazily with one global regex pass over the text, the first time a candidate asks,
 * so text without candidates never pays for it. The tail of the previously visited string counts as lead-in, which
 * covers `{ "phone": "4155552671" }` (walkStrings visits a key right before its string value).
 */

const NO_HITS: readonly number[] = Object.freeze([]);

/** Characters between the end of a keyword and the start of the number it labels. */
const CONTEXT_BEFORE = 32;
/** Characters between the end of a number and a trailing label ("781 1704 mobile", "…-Fax"). */
const CONTEXT_AFTER = 12;

/** Compiled once per keyword list; holds no per-text state besides the global regex's `lastIndex`. */
class KeywordPattern {
  readonly global: RegExp;
  readonly single: RegExp;

  /** `source` is a regex source of alternatives; it is matched case-insensitively on word boundaries. */
  constructor(source: string) {
    this.global = new RegExp(`\\b(?:${source})\\b`, 'gi');
    this.single = new RegExp(`\\b(?:${source})\\b`, 'i');
  }
}

export class KeywordContext {
  readonly #global: RegExp;
  readonly #single: RegExp;
  #text = '';
  #lead = '';
  #hits: readonly number[] | undefined;
  #leadHit: boolean | undefined;

  constructor(pattern: KeywordPattern) {
    this.#global = pattern.global;
    this.#single = pattern.single;
  }

  /**
   * Starts a new text; `lead` is the text visited just before it (may be empty). A text known to hold no words (a
   * number's decimal text) cannot hold a keyword, so it is not searched: a large array of numbers would otherwise
   * pay two regex runs per number.
   */
  reset(text: string, lead: string, textIsNumber = false, leadIsNumber = false): void {
    this.#text = text;
    this.#lead = lead;
    this.#hits = textIsNumber ? NO_HITS : undefined;
    this.#leadHit = leadIsNumber ? false : undefined;
  }

  /** True when a keyword ends shortly before `start` or begins shortly after `end`. */
  near(start: number, end: number): boolean {
    const hits = (this.#hits ??= this.#findHits());
    const i = firstHitEndingAtOrAfter(hits, start - CONTEXT_BEFORE);
    if (i < hits.length) {
      const hitStart = hits[2 * i]!;
      const hitEnd = hits[2 * i + 1]!;
      if (hitEnd <= start) return true;
      if (hitStart >= end && hitStart - end <= CONTEXT_AFTER) return true;
    }
    return start < CONTEXT_BEFORE && this.#leadHasKeyword();
  }

  /**
   * True when a keyword could label a number somewhere in [from, to): a cheap test that lets callers skip the
   * keyword-dependent readings of a candidate altogether.
   */
  anyAround(from: number, to: number): boolean {
    const hits = (this.#hits ??= this.#findHits());
    const i = firstHitEndingAtOrAfter(hits, from - CONTEXT_BEFORE);
    if (i < hits.length && hits[2 * i]! <= to + CONTEXT_AFTER) return true;
    return from < CONTEXT_BEFORE && this.#leadHasKeyword();
  }

  #findHits(): number[] {
    const hits: number[] = [];
    const re = this.#global;
    re.lastIndex = 0;
    for (let m = re.exec(this.#text); m !== null; m = re.exec(this.#text)) hits.push(m.index, m.index + m[0].length);
    return hits;
  }

  #leadHasKeyword(): boolean {
    if (this.#leadHit === undefined) {
      const lead = this.#lead;
      this.#leadHit = lead.length > 0 && this.#single.test(lead.length > CONTEXT_BEFORE ? lead.slice(-CONTEXT_BEFORE) : lead);
    }
    return this.#leadHit;
  }
}

/** Index of the first hit (pairs of start, end; sorted, non-overlapping) whose end is ≥ `position`. */
function firstHitEndingAtOrAfter(hits: readonly number[], position: number): number {
  let lo = 0;
  let hi = hits.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (hits[2 * mid + 1]! < position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Words that label a phone number, in English and a few other languages. */
export const PHONE_KEYWORDS = new KeywordPattern([
  'phone', 'phones', 'telephone', 'tel', 'tele', 'ph', 'mobile', 'mob', 'cell', 'cellphone', 'cellular', 'fax', 'landline',
  'hotline', 'helpline', 'call', 'calls', 'called', 'calling', 'ring', 'dial', 'sms', 'text me', 'texts', 'whatsapp',
  'voicemail', 'message', 'messages', 'answering', 'contact', 'extension', 'ext',
  'telefon', 'telefono', 'tel[eé]fono', 't[eé]l[eé]phone', 'portable', 'handy', 'celular', 'm[oó]vil',
].join('|'));

/** Words that label a US social security number. */
export const SSN_KEYWORDS = new KeywordPattern(['ssn', 'ssns', 'social security', 'social-security', 'soc sec'].join('|'));

/** Words that label a payment card number (needed only for the 12-digit Maestro numbers, see cards.ts). */
export const CARD_KEYWORDS = new KeywordPattern(
  ['card', 'cards', 'cc', 'credit', 'debit', 'maestro', 'pan', 'carte', 'karte', 'tarjeta'].join('|'),
);
