/**
 * The values a depth-first walk has still to visit, in document order. A container is not copied onto the stack
 * item by item when it is reached: it is pushed as one frame and its items are taken one at a time. Copying a
 * 300,000-item array first would be milliseconds of work before the walker could check its budget even once; as a
 * frame it costs nothing until its items are visited, and the walk can stop between any two of them.
 */

const ITEMS = 0;
const ENTRIES = 1;

interface Frame {
  kind: typeof ITEMS | typeof ENTRIES;
  items: readonly unknown[];
  /** ENTRIES: the object whose keys are `items`. */
  object: Record<string, unknown> | null;
  /** ENTRIES: hand out each key before its value. */
  withKeys: boolean;
  index: number;
  /** ENTRIES with keys: the key at `index` was handed out, its value is next. */
  keyDone: boolean;
}

export class PendingValues {
  /** The value `next()` moved to. */
  value: unknown;
  readonly #frames: Frame[] = [];
  #first = true;
  readonly #root: unknown;

  constructor(root: unknown) {
    this.#root = root;
  }

  /** Moves to the next value in document order; false once every value has been handed out. */
  next(): boolean {
    if (this.#first) {
      this.#first = false;
      this.value = this.#root;
      return true;
    }
    const frames = this.#frames;
    while (frames.length > 0) {
      const top = frames[frames.length - 1]!;
      if (top.index >= top.items.length) {
        frames.pop();
        continue;
      }
      if (top.kind === ITEMS) {
        this.value = top.items[top.index++];
        return true;
      }
      const key = top.items[top.index] as string;
      if (top.withKeys && !top.keyDone) {
        top.keyDone = true;
        this.value = key;
        return true;
      }
      top.keyDone = false;
      top.index++;
      this.value = top.object![key];
      return true;
    }
    return false;
  }

  /** The items of an array (or array-like list), to be visited before whatever was pending. */
  pushItems(items: readonly unknown[]): void {
    if (items.length > 0) this.#frames.push({ kind: ITEMS, items, object: null, withKeys: false, index: 0, keyDone: false });
  }

  /** An object's own enumerable string-keyed values, each preceded by its key when `withKeys`. */
  pushEntries(object: Record<string, unknown>, withKeys: boolean): void {
    const keys = Object.keys(object);
    if (keys.length > 0) this.#frames.push({ kind: ENTRIES, items: keys, object, withKeys, index: 0, keyDone: false });
  }
}
