/**
 * Visits every string inside an output: the value itself, array items, object values and (optionally) object keys,
 * Map and Set entries, at any depth. Iterative, so that hostile nesting cannot overflow the call stack; cycle-safe,
 * so that a self-referencing object cannot hang a gate; every string is visited once per occurrence, so total work is
 * linear in the size of the value. With a meter, the walk accounts every value it visits and every string it hands
 * out, so an evaluation's deadline stops it part-way (see budget.ts).
 */
import type { Meter } from '../budget.js';
import { PendingValues } from './pending-values.js';

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
 * `walkStrings` returns `true`; otherwise it returns `false` after visiting everything. `fromNumber` tells a
 * number's decimal text (with `numbers: true`) from a string.
 */
export function walkStrings(
  value: unknown,
  visit: (text: string, fromNumber: boolean) => boolean | void,
  options: WalkOptions = {},
): boolean {
  const withKeys = options.keys !== false;
  const withNumbers = options.numbers === true;
  const meter = options.meter;
  // The common output is one string: it needs neither the pending values nor the cycle guard.
  if (typeof value === 'string') {
    meter?.spendChars(value.length);
    return visit(value, false) === true;
  }
  // With a budget, shared sub-objects are bounded by it; without one, each container is walked once.
  const pending = new PendingValues(value, meter === undefined);
  while (pending.next()) {
    const item = pending.value;
    meter?.spend(1);
    if (typeof item === 'string') {
      meter?.spendChars(item.length);
      if (visit(item, false) === true) return true;
      continue;
    }
    if (item === null || typeof item !== 'object') {
      if (withNumbers && isVisitableNumber(item) && visit(String(item), true) === true) return true;
      continue;
    }
    if (!pending.enter(item)) continue;
    if (Array.isArray(item)) {
      pending.pushItems(item, item);
    } else if (item instanceof Map) {
      meter?.spend(item.size);
      pending.pushItems(item, withKeys ? [...item.entries()].flat() : [...item.values()]);
    } else if (item instanceof Set) {
      meter?.spend(item.size);
      pending.pushItems(item, [...item.values()]);
    } else if (!(ArrayBuffer.isView(item) || item instanceof Date || item instanceof RegExp)) {
      pending.pushEntries(item as Record<string, unknown>, withKeys);
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
