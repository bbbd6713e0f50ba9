/**
 * The words every phrase rule uses, numbered once for the process. Tokens carry these numbers instead of strings,
 * so a rule step tests membership with an array read, and words no rule uses are never kept.
 */
export class Vocabulary {
  readonly #ids = new Map<string, number>();
  /** Length of the longest word: a longer token cannot be in the vocabulary. */
  longest = 0;

  /** The word's id, adding it when new. */
  add(word: string): number {
    let id = this.#ids.get(word);
    if (id === undefined) {
      id = this.#ids.size;
      this.#ids.set(word, id);
      this.longest = Math.max(this.longest, word.length);
    }
    return id;
  }

  /** The word's id, or -1. */
  lookup(word: string): number {
    return this.#ids.get(word) ?? -1;
  }

  get size(): number {
    return this.#ids.size;
  }
}

export const VOCABULARY = new Vocabulary();
