/**
 * A fixed set of literal markers found in one pass of `indexOf` per distinct first character, each occurrence
 * checked only against the markers that share its first two characters. Searching for every marker separately
 * reads a text once per marker; on a megabyte of "<" that is what made the marker checks the gate's slowest part.
 */
export class MarkerSet {
  /** First character → (second character code → markers starting with both). */
  readonly #byPrefix = new Map<string, Map<number, string[]>>();

  constructor(markers: readonly string[]) {
    for (const marker of markers) {
      if (marker.length < 2) throw new Error(`marker "${marker}" is shorter than two characters`);
      let bySecond = this.#byPrefix.get(marker[0]!);
      if (bySecond === undefined) this.#byPrefix.set(marker[0]!, (bySecond = new Map()));
      const second = marker.charCodeAt(1);
      const list = bySecond.get(second);
      if (list === undefined) bySecond.set(second, [marker]);
      else list.push(marker);
    }
  }

  /** True when `text` holds any of the markers (compared as written: pass lower-cased text for lower-case markers). */
  foundIn(text: string): boolean {
    for (const [first, bySecond] of this.#byPrefix) {
      for (let at = text.indexOf(first); at >= 0; at = text.indexOf(first, at + 1)) {
        const candidates = bySecond.get(text.charCodeAt(at + 1));
        if (candidates?.some((marker) => text.startsWith(marker, at))) return true;
      }
    }
    return false;
  }
}
