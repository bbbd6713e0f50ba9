/**
 * The values a depth-first walk has still to visit, in document order. A container is not copied onto the stack
 * item by item when it is reached: it is pushed as one frame and its items are taken one at a time. Copying a
 * 300,000-item array first would be milliseconds of work before the walker could check its budget even once; as a
 * frame it costs nothing until its items are visited, and the walk can stop between any two of them.
 *
 * It also guards against cycles, in one of two ways. Without a budget, every container is entered once (a set of
 * all of them): that also keeps a value that shares sub-objects many times over (a DAG, `x = [x, x]` fifty times)
 * linear. With a budget, only the containers open on the current path are remembered, which is all a cycle needs:
 * the set stays as small as the nesting is deep, instead of holding every object of a 300,000-object output (its
 * growth is work the meter cannot divide, and its collection a pause), and the budget bounds what shared
 * sub-objects can cost.
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
  /** The container the frame lists, while the walk is inside it. */
  owner: object;
}

export class PendingValues {
  /** The value `next()` moved to. */
  value: unknown;
  readonly #frames: Frame[] = [];
  #first = true;
  readonly #root: unknown;
  /** Every container entered (`onceEach`), or only those open on the current path. */
  readonly #onceEach: boolean;
  #guard: Set<object> | undefined;

  /** `onceEach`: enter every container at most once (see above); otherwise only refuse re-entering an open one. */
  constructor(root: unknown, onceEach: boolean) {
    this.#root = root;
    this.#onceEach = onceEach;
  }

  /** False when the walk must not go into `container` (a cycle, or already walked when `onceEach`). */
  enter(container: object): boolean {
    const guard = (this.#guard ??= new Set<object>());
    if (guard.has(container)) return false;
    if (this.#onceEach) guard.add(container);
    return true;
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
        if (!this.#onceEach) this.#guard!.delete(top.owner);
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

  /** The items of `owner` (an array, or a list made from a Map or Set), to be visited before whatever was pending. */
  pushItems(owner: object, items: readonly unknown[]): void {
    if (items.length === 0) return;
    this.#open(owner);
    this.#frames.push({ kind: ITEMS, items, object: null, withKeys: false, index: 0, keyDone: false, owner });
  }

  /** An object's own enumerable string-keyed values, each preceded by its key when `withKeys`. */
  pushEntries(object: Record<string, unknown>, withKeys: boolean): void {
    const keys = Object.keys(object);
    if (keys.length === 0) return;
    this.#open(object);
    this.#frames.push({ kind: ENTRIES, items: keys, object, withKeys, index: 0, keyDone: false, owner: object });
  }

  #open(owner: object): void {
    if (!this.#onceEach) (this.#guard ??= new Set<object>()).add(owner);
  }
}
