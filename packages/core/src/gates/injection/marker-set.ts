/**
 * A fixed set of literal markers found in one pass of `indexOf` per distinct first character, each occurrence
 * checked only against the markers that share its first two characters. Searching for every marker separately
 * reads a text once per marker; on a megabyte of "<" that is what made the marker checks the gate's slowest part.
 */
export class MarkerSet {
  /** First character → markers starting with it, indexed by their (ASCII) second character. */
  readonly #byPrefix = new Map<string, (string[] | undefined)[]>();

  constructor(markers: readonly string[]) {
    for (const marker of markers) {
      const second = marker.charCodeAt(1);
      if (!(second < 128)) throw new Error(`marker "${marker}" needs an ASCII second character`);
      let bySecond = this.#byPrefix.get(marker[0]!);
      if (bySecond === undefined) this.#byPrefix.set(marker[0]!, (bySecond = new Array<string[] | undefined>(128)));
      (bySecond[second] ??= []).push(marker);
    }
  }

  /** True when `text` holds any of the markers (compared as written: pass lower-cased text for lower-case markers). */
  foundIn(text: string): boolean {
    for (const [first, bySecond] of this.#byPrefix) {
      for (let at = text.indexOf(first); at >= 0; at = text.indexOf(first, at + 1)) {
        const second = text.charCodeAt(at + 1);
        const candidates = second < 128 ? bySecond[second] : undefined;
        if (candidates === undefined) continue;
        for (const marker of candidates) if (text.startsWith(marker, at)) return true;
      }
    }
    return false;
  }
}
