/**
 * The words every phrase rule uses, numbered once for the process. Tokens carry these numbers instead of strings,
 * so a rule step tests membership with an array read, and words no rule uses are never kept.
 */
export class Vocabulary {
  readonly #ids = new Map<string, number>();
  /** Length of the longest word: a longer token cannot be in the vocabulary. */
  longest = 0;
  /**
   * Which (length, first letter, last letter) triples some word has: most words of a text fail this test, and then
   * they are neither copied nor hashed. Letters are folded to lower case; other characters share one slot.
   */
  #shapes = new Uint8Array(0);

  /** The word's id, adding it when new. */
  add(word: string): number {
    let id = this.#ids.get(word);
    if (id === undefined) {
      id = this.#ids.size;
      this.#ids.set(word, id);
      this.longest = Math.max(this.longest, word.length);
      this.#markShapes();
    }
    return id;
  }

  /** False when no word of the vocabulary can equal `text[start, end)` (read case-insensitively). */
  mayHold(text: string, start: number, end: number): boolean {
    const length = end - start;
    if (length > this.longest) return false;
    return this.#shapes[shapeIndex(length, text.charCodeAt(start), text.charCodeAt(end - 1))] === 1;
  }

  #markShapes(): void {
    this.#shapes = new Uint8Array((this.longest + 1) * SLOTS * SLOTS);
    for (const word of this.#ids.keys()) {
      this.#shapes[shapeIndex(word.length, word.charCodeAt(0), word.charCodeAt(word.length - 1))] = 1;
    }
  }

  /** The word's id, or -1. */
  lookup(word: string): number {
    return this.#ids.get(word) ?? -1;
  }

  get size(): number {
    return this.#ids.size;
  }
}

/** a–z, and one slot for everything else. */
const SLOTS = 27;

function slotOf(code: number): number {
  const folded = code >= 65 && code <= 90 ? code + 32 : code;
  return folded >= 97 && folded <= 122 ? folded - 97 : 26;
}

function shapeIndex(length: number, first: number, last: number): number {
  return (length * SLOTS + slotOf(first)) * SLOTS + slotOf(last);
}

export const VOCABULARY = new Vocabulary();
