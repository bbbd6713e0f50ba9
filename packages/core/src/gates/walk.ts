/**
 * Visits every string inside an output: the value itself, array items, object values and (optionally) object keys,
 * Map and Set entries, at any depth. Iterative with an explicit stack so that hostile nesting cannot overflow the
 * call stack, and cycle-safe so that a self-referencing object cannot hang a gate. Every string is visited once per
 * occurrence, so total work is linear in the size of the value; with a meter, the walk accounts every value it
 * visits and every string it hands out, so an evaluation's deadline stops it part-way (see budget.ts).
 */
import type { Meter } from '../budget.js';

export interface WalkOptions {
  /** Also visit object keys and Map keys (default true: a key can carry a path or an e-mail address too). */
  keys?: boolean;
  /** Also visit finite numbers and bigints as their decimal text (default false). */
  numbers?: boolean;
  /** Accounts the walk (and the visits it makes) against an evaluation's budget; throws once it is spent. */
  meter?: Meter;
}

/**
 * Calls `visit` for every string found in `value`. When `visit` returns `true` the walk stops early and
 * `walkStrings` returns `true`; otherwise it returns `false` after visiting everything.
 */
export function walkStrings(
  value: unknown,
  visit: (text: string) => boolean | void,
  options: WalkOptions = {},
): boolean {
  const withKeys = options.keys !== false;
  const withNumbers = options.numbers === true;
  const meter = options.meter;
  if (typeof value === 'string') {
    meter?.spendChars(value.length);
    return visit(value) === true;
  }
  if (value === null || typeof value !== 'object') {
    if (withNumbers && isVisitableNumber(value)) return visit(String(value)) === true;
    return false;
  }
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      meter?.spendChars(item.length);
      if (visit(item) === true) return true;
      continue;
    }
    meter?.spend(1);
    if (item === null || typeof item !== 'object') {
      if (withNumbers && isVisitableNumber(item) && visit(String(item)) === true) return true;
      continue;
    }
    if (seen.has(item)) continue;
    seen.add(item);
    if (Array.isArray(item)) {
      // Pushed in reverse so that items are visited in document order.
      for (let i = item.length - 1; i >= 0; i--) stack.push(item[i]);
    } else if (item instanceof Map) {
      const entries = [...item.entries()];
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i]!;
        stack.push(v);
        if (withKeys) stack.push(k);
      }
    } else if (item instanceof Set) {
      const values = [...item.values()];
      for (let i = values.length - 1; i >= 0; i--) stack.push(values[i]);
    } else if (ArrayBuffer.isView(item) || item instanceof Date || item instanceof RegExp) {
      continue;
    } else {
      const keys = Object.keys(item);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!;
        stack.push((item as Record<string, unknown>)[k]);
        if (withKeys) stack.push(k);
      }
    }
  }
  return false;
}

/** Collects every string of `value` (see `walkStrings`) into an array. */
export function collectStrings(value: unknown, options?: WalkOptions): string[] {
  const out: string[] = [];
  walkStrings(value, (s) => void out.push(s), options);
  return out;
}

function isVisitableNumber(value: unknown): value is number | bigint {
  return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint';
}
