import type { Gate, GateOptions } from '../../types.js';
import { assertOptionsObject, gateName } from '../options.js';
import {
  BidFindings,
  categoriesOf,
  coveredCategories,
  failClosed,
  normalizeCategory,
  objectField,
  readBidsWithRequest,
  skipped,
  stringListOption,
  type JsonObject,
} from './openrtb.js';
import { markSignalFree } from '../../signal-free.js';

export interface AudienceSafetyOptions extends GateOptions {
  /** IAB categories no bid on child-directed inventory may carry. Replaces {@link DEFAULT_UNSAFE_CATEGORIES}. */
  unsafeCategories?: readonly string[];
  /**
   * Words that mark an `app.bundle` as made for children. Replaces {@link DEFAULT_BUNDLE_KEYWORDS}; `[]` turns
   * bundle detection off. Letters and digits only.
   */
  bundleKeywords?: readonly string[];
}

/** IAB 1.0 codes unfit for children: sexuality, alcohol, dating, non-standard and illegal content. */
export const DEFAULT_UNSAFE_CATEGORIES: readonly string[] = Object.freeze([
  'IAB7-39',
  'IAB8-5',
  'IAB8-18',
  'IAB14-1',
  'IAB25',
  'IAB25-1',
  'IAB25-2',
  'IAB25-3',
  'IAB25-4',
  'IAB25-5',
  'IAB25-6',
  'IAB25-7',
  'IAB26',
  'IAB26-1',
  'IAB26-2',
  'IAB26-3',
  'IAB26-4',
]);

export const DEFAULT_BUNDLE_KEYWORDS: readonly string[] = Object.freeze([
  'kids',
  'kidz',
  'child',
  'toddler',
  'baby',
  'babies',
  'preschool',
  'kindergarten',
  'nursery',
]);

/** docs/sdk.md (Built-in gates) names IAB13 in the app/site categories as a child-directed signal. */
const CHILD_DIRECTED_CATEGORY = 'IAB13';

/** Real bundle ids are short; only their head is tokenized so a hostile megabyte string costs nothing. */
const MAX_BUNDLE_SCAN = 512;

const MESSAGES = {
  'cat-invalid': 'bid cat is not an array',
  'cat-unsafe': 'bid category unsafe for child-directed inventory',
};

export type ChildDirectedSignal = 'coppa' | 'category' | 'bundle-keyword';

/**
 * `rtb.audience-safety`: when the request's inventory is child-directed, no bid may declare (in `bid.cat`) an
 * unsafe category. A listed tier-1 code covers its sub-categories (`IAB25` covers `IAB25-3`); codes compare
 * trimmed and case-insensitively. A bid without `cat` passes.
 *
 * Inventory is child-directed when any of these holds:
 * - `regs.coppa` is 1 (the string `"1"` from sloppy exchanges counts too: erring towards child safety);
 * - `app.cat` or `site.cat` contains `IAB13`;
 * - `app.bundle` contains a kids keyword as a word: the bundle is split at dots, other punctuation and camelCase
 *   humps (`com.PlayKids.app` → play, kids, app), and a word that starts or ends with a keyword matches
 *   (`kidsgames`, `babyshark`, `funkids`).
 * Otherwise the gate is skipped, as it is without a request or without bids. Fails on a malformed response or
 * request, and on a bid whose `cat` is not an array. Reasons are generic; the matched codes are in `details`.
 */
export function audienceSafety(options?: AudienceSafetyOptions): Gate {
  assertOptionsObject(options, 'rtb.audienceSafety');
  const unsafeList = stringListOption(options?.unsafeCategories, 'rtb.audienceSafety: unsafeCategories', normalizeCategory);
  if (unsafeList !== undefined && unsafeList.length === 0) {
    throw new TypeError('rtb.audienceSafety: unsafeCategories must not be empty');
  }
  const unsafe: ReadonlySet<string> = new Set(unsafeList ?? DEFAULT_UNSAFE_CATEGORIES);
  const keywords =
    stringListOption(options?.bundleKeywords, 'rtb.audienceSafety: bundleKeywords', (k) => k.trim().toLowerCase(), isWord) ??
    DEFAULT_BUNDLE_KEYWORDS;
  const name = gateName(options, 'rtb.audience-safety');
  return markSignalFree({
    name,
    run: failClosed((ctx) => {
      const read = readBidsWithRequest(ctx, 'no request to tell whether inventory is child-directed');
      if (read.done) return read.done;
      const signals = childDirectedSignals(read.request, keywords);
      if (signals.length === 0) return skipped('inventory is not child-directed');
      const findings = new BidFindings(read.bids.length);
      for (const ref of read.bids) {
        const codes = categoriesOf(ref.bid, 'cat');
        if (codes === null) {
          findings.add(ref, 'cat-invalid');
          continue;
        }
        if (codes === undefined) continue;
        const matched = coveredCategories(codes, unsafe);
        if (matched.length > 0) findings.add(ref, 'cat-unsafe', matched);
      }
      return findings.outcome(MESSAGES, { childDirected: signals });
    }),
  });
}

/** Which signals mark the request's inventory as child-directed; empty when none does. */
export function childDirectedSignals(request: JsonObject, keywords: readonly string[]): ChildDirectedSignal[] {
  const signals: ChildDirectedSignal[] = [];
  const coppa = objectField(request, 'regs')?.['coppa'];
  if (coppa === 1 || coppa === '1') signals.push('coppa');
  const app = objectField(request, 'app');
  const site = objectField(request, 'site');
  if (hasCategory(app, CHILD_DIRECTED_CATEGORY) || hasCategory(site, CHILD_DIRECTED_CATEGORY)) signals.push('category');
  const bundle = app?.['bundle'];
  if (typeof bundle === 'string' && keywords.length > 0 && bundleHasKeyword(bundle, keywords)) {
    signals.push('bundle-keyword');
  }
  return signals;
}

function hasCategory(holder: JsonObject | undefined, code: string): boolean {
  if (holder === undefined) return false;
  const codes = categoriesOf(holder, 'cat');
  return Array.isArray(codes) && codes.includes(code);
}

/** Splits the bundle into lower-case words (see {@link audienceSafety}) and looks for a keyword at either end of one. */
export function bundleHasKeyword(bundle: string, keywords: readonly string[]): boolean {
  const text = bundle.length > MAX_BUNDLE_SCAN ? bundle.slice(0, MAX_BUNDLE_SCAN) : bundle;
  let word = '';
  let previousWasLower = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : -1;
    const isLower = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
    const isUpper = c >= 0x41 && c <= 0x5a;
    if (isUpper && previousWasLower && word !== '') {
      if (wordHasKeyword(word, keywords)) return true;
      word = '';
    }
    if (isLower || isUpper) {
      word += String.fromCharCode(isUpper ? c + 0x20 : c);
    } else if (word !== '') {
      if (wordHasKeyword(word, keywords)) return true;
      word = '';
    }
    previousWasLower = isLower;
  }
  return false;
}

function wordHasKeyword(word: string, keywords: readonly string[]): boolean {
  for (const keyword of keywords) {
    if (word.startsWith(keyword) || word.endsWith(keyword)) return true;
  }
  return false;
}

function isWord(keyword: string): boolean {
  if (keyword.length === 0) return false;
  for (let i = 0; i < keyword.length; i++) {
    const c = keyword.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39))) return false;
  }
  return true;
}
