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
  /** Open addressing over `foldedHash`: slot → id + 1 (0 = empty). Rebuilt when words are added. */
  #slots = new Int32Array(0);
  #words: string[] = [];

  /** The word's id, adding it when new. */
  add(word: string): number {
    let id = this.#ids.get(word);
    if (id === undefined) {
      id = this.#ids.size;
      this.#ids.set(word, id);
      this.#words.push(word);
      this.longest = Math.max(this.longest, word.length);
      this.#markShapes();
      this.#fillSlots();
    }
    return id;
  }

  /**
   * The id of `text[start, end)` read with ASCII letters in lower case, or -1; the same answer as
   * `lookup(text.slice(start, end).toLowerCase())` for ASCII text, without copying the word.
   */
  lookupRange(text: string, start: number, end: number): number {
    if (!this.mayHold(text, start, end)) return -1;
    const mask = this.#slots.length - 1;
    for (let slot = foldedHash(text, start, end) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot]!;
      if (entry === 0) return -1;
      if (foldedEquals(text, start, end, this.#words[entry - 1]!)) return entry - 1;
    }
  }

  #fillSlots(): void {
    let size = 16;
    while (size < this.#words.length * 4) size <<= 1;
    this.#slots = new Int32Array(size);
    this.#words.forEach((word, id) => {
      let slot = foldedHash(word, 0, word.length) & (size - 1);
      while (this.#slots[slot] !== 0) slot = (slot + 1) & (size - 1);
      this.#slots[slot] = id + 1;
    });
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

function fold(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/** FNV-1a over the folded code units. */
function foldedHash(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ fold(text.charCodeAt(i)), 0x01000193);
  return hash >>> 0;
}

function foldedEquals(text: string, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (fold(text.charCodeAt(start + k)) !== word.charCodeAt(k)) return false;
  return true;
}

function shapeIndex(length: number, first: number, last: number): number {
  return (length * SLOTS + slotOf(first)) * SLOTS + slotOf(last);
}

export const VOCABULARY = new Vocabulary();
