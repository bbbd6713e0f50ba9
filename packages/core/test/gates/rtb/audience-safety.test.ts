import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_BUNDLE_KEYWORDS,
  DEFAULT_UNSAFE_CATEGORIES,
  audienceSafety,
  bundleHasKeyword,
  childDirectedSignals,
} from '../../../src/gates/rtb/audience-safety.js';
import { rtb } from '../../../src/gates/rtb/index.js';
import {
  assertFailed,
  assertReasonQuotesNoPayload,
  assertSkipped,
  malformedRequests,
  runGate,
} from '../../fixtures/openrtb/context.js';
import {
  appVideoRequest26,
  iab13SiteRequest25,
  kidsAppCoppaRequest26,
  kidsBundleRequest25,
  siteBannerRequest25,
} from '../../fixtures/openrtb/requests.js';
import {
  kidsSafeResponse26,
  kidsUnsafeResponse26,
  malformedResponses,
  noBidResponses,
  siteBannerResponse25,
} from '../../fixtures/openrtb/responses.js';

const gate = audienceSafety();
const withCats = (...cats: unknown[]) => ({
  id: 'r',
  seatbid: [{ seat: 's', bid: cats.map((cat, i) => ({ id: `b${i}`, impid: '1', price: 1, adomain: ['brand.com'], cat })) }],
});
const coppa = (...value: unknown[]) => ({ id: 'q', imp: [{ id: '1' }], regs: { coppa: value.length === 0 ? 1 : value[0] } });
const app = (bundle: unknown, extra: Record<string, unknown> = {}) => ({ id: 'q', imp: [{ id: '1' }], app: { bundle, ...extra } });

describe('rtb.audienceSafety', () => {
  it('is exposed as rtb.audienceSafety with the default name and accepts an override', () => {
    assert.equal(rtb.audienceSafety, audienceSafety);
    assert.equal(gate.name, 'rtb.audience-safety');
    assert.equal(audienceSafety({ name: 'kids' }).name, 'kids');
  });

  it('fails unsafe categories on a COPPA kids app, naming codes only in details', () => {
    const req = kidsAppCoppaRequest26();
    const res = kidsUnsafeResponse26();
    const outcome = assertFailed(runGate(gate, req, res));
    assert.equal(outcome.reason, 'bid category unsafe for child-directed inventory (2 of 3 bids)');
    assert.deepEqual(outcome.details.offenders, [
      { seat: 0, bid: 0, problem: 'cat-unsafe', categories: ['IAB8-5'] },
      { seat: 1, bid: 0, problem: 'cat-unsafe', categories: ['IAB14-1'] },
    ]);
    assert.deepEqual(outcome.details['childDirected'], ['coppa', 'bundle-keyword']);
    assert.ok(!outcome.reason.includes('IAB'));
    assertReasonQuotesNoPayload(outcome, req, res);
  });

  it('passes kid-safe bids on child-directed inventory and says why the inventory counted', () => {
    assert.deepEqual(runGate(gate, kidsAppCoppaRequest26(), kidsSafeResponse26()), {
      passed: true,
      details: { childDirected: ['coppa', 'bundle-keyword'] },
    });
    assert.deepEqual(runGate(gate, JSON.stringify(kidsAppCoppaRequest26()), JSON.stringify(kidsSafeResponse26())), {
      passed: true,
      details: { childDirected: ['coppa', 'bundle-keyword'] },
    });
  });

  it('flags every default unsafe category, trimmed and case-insensitive', () => {
    for (const code of DEFAULT_UNSAFE_CATEGORIES) {
      assertFailed(runGate(gate, coppa(), withCats(['IAB1', code])));
      assertFailed(runGate(gate, coppa(), withCats([` ${code.toLowerCase()} `])));
    }
  });

  it('lets a listed tier-1 code cover its sub-categories, and nothing else', () => {
    assertFailed(runGate(gate, coppa(), withCats(['IAB25-3'])));
    assertFailed(runGate(audienceSafety({ unsafeCategories: ['IAB25'] }), coppa(), withCats(['IAB25-6'])));
    // IAB8 (Food & Drink) itself is fine for children; only IAB8-5 and IAB8-18 (alcohol) are not.
    for (const safe of ['IAB8', 'IAB8-1', 'IAB7', 'IAB7-3', 'IAB14', 'IAB2', 'IAB9-30', 'IAB250']) {
      assert.equal(runGate(gate, coppa(), withCats([safe])).passed, true, safe);
    }
  });

  it('passes bids without cat, ignores non-string entries, fails a cat that is not an array', () => {
    assert.equal(runGate(gate, coppa(), withCats(undefined, null, [], [7, null])).passed, true);
    const outcome = assertFailed(runGate(gate, coppa(), withCats('IAB25', ['IAB1'])));
    assert.equal(outcome.reason, 'bid cat is not an array (1 of 2 bids)');
  });

  it('treats regs.coppa 1 (or "1") as child-directed, anything else not', () => {
    assertFailed(runGate(gate, coppa(1), withCats(['IAB26'])));
    assertFailed(runGate(gate, coppa('1'), withCats(['IAB26'])));
    for (const value of [0, '0', 2, true, null, undefined, [1], { v: 1 }]) {
      assertSkipped(runGate(gate, coppa(value), withCats(['IAB26'])), 'inventory is not child-directed');
    }
    assertSkipped(runGate(gate, { imp: [{ id: '1' }], regs: 1 }, withCats(['IAB26'])), 'inventory is not child-directed');
  });

  it('treats IAB13 in app or site cat as child-directed (docs/sdk.md, Built-in gates, literally)', () => {
    const outcome = assertFailed(runGate(gate, iab13SiteRequest25(), withCats(['IAB25-3'])));
    assert.deepEqual(outcome.details['childDirected'], ['category']);
    assert.deepEqual(childDirectedSignals({ app: { cat: [' iab13'] } }, DEFAULT_BUNDLE_KEYWORDS), ['category']);
    assert.deepEqual(childDirectedSignals({ site: { cat: ['IAB13-4'] } }, DEFAULT_BUNDLE_KEYWORDS), []);
    assert.deepEqual(childDirectedSignals({ site: { cat: 'IAB13' } }, DEFAULT_BUNDLE_KEYWORDS), []);
  });

  it('detects a kids keyword in app.bundle as a word (camelCase, dots, prefixes and suffixes)', () => {
    assert.deepEqual(runGate(gate, kidsBundleRequest25(), withCats(['IAB7-39'])).passed, false);
    const kids = [
      'com.PlayKids.app',
      'com.tinytots.kidspuzzles',
      'air.com.funkids.draw',
      'com.brightstudio.ToddlerColours',
      'com.babybus.world',
      'com.ChildrensTales.reader',
      'kids',
      'com.kidzone.tv',
      'com.preschoollearning.abc',
      'com.KIDSGames.free',
      'com.acme.Kids2Go',
      'com.acme.nursery_rhymes',
    ];
    for (const bundle of kids) assert.equal(bundleHasKeyword(bundle, DEFAULT_BUNDLE_KEYWORDS), true, bundle);
    const grownUp = ['com.kidney.care', 'com.skidmore.app', 'com.alpinelabs.weatherlive', '1234567890', 'com.babbel.mobile', 'com.chilled.music', 'id628677149', ''];
    for (const bundle of grownUp) assert.equal(bundleHasKeyword(bundle, DEFAULT_BUNDLE_KEYWORDS), false, bundle);
  });

  it('only reads the bundle of an app: site pages and app names are not signals', () => {
    assert.deepEqual(childDirectedSignals({ site: { domain: 'kids.org', page: 'https://kids.org/', name: 'Kids' } }, DEFAULT_BUNDLE_KEYWORDS), []);
    assert.deepEqual(childDirectedSignals({ app: { name: 'Baby Shark', bundle: 'com.pinkfong.shark' } }, DEFAULT_BUNDLE_KEYWORDS), []);
    assert.deepEqual(childDirectedSignals({ app: { bundle: 42 } }, DEFAULT_BUNDLE_KEYWORDS), []);
  });

  it('is skipped when inventory is not child-directed, even with unsafe bids', () => {
    assertSkipped(runGate(gate, siteBannerRequest25(), withCats(['IAB25-3'])), 'inventory is not child-directed');
    assertSkipped(runGate(gate, appVideoRequest26(), siteBannerResponse25()), 'inventory is not child-directed');
  });

  it('is skipped without bids or without a request', () => {
    for (const output of noBidResponses()) assertSkipped(runGate(gate, kidsAppCoppaRequest26(), output), 'no bids in response');
    for (const input of [undefined, null, '']) {
      assertSkipped(runGate(gate, input, kidsUnsafeResponse26()), 'no request to tell whether inventory is child-directed');
    }
  });

  it('replaces the defaults with custom unsafeCategories and bundleKeywords', () => {
    const toysOnly = audienceSafety({ unsafeCategories: ['iab9-30 '] });
    const outcome = assertFailed(runGate(toysOnly, kidsAppCoppaRequest26(), kidsUnsafeResponse26()));
    assert.deepEqual(outcome.details.offenders, [{ seat: 0, bid: 1, problem: 'cat-unsafe', categories: ['IAB9-30'] }]);
    assertSkipped(runGate(audienceSafety({ bundleKeywords: [] }), kidsBundleRequest25(), withCats(['IAB25'])), 'inventory is not child-directed');
    assertFailed(runGate(audienceSafety({ bundleKeywords: ['Colours'] }), app('com.paint.colourslab'), withCats(['IAB25'])));
    assertSkipped(runGate(audienceSafety({ bundleKeywords: ['colours'] }), kidsAppCoppaRequest26(), withCats()), 'no bids in response');
  });

  it('fails (never throws) on a malformed response or request', () => {
    for (const output of malformedResponses()) assertFailed(runGate(gate, kidsAppCoppaRequest26(), output));
    for (const input of malformedRequests()) {
      assert.match(assertFailed(runGate(gate, input, kidsUnsafeResponse26())).reason, /^request /, JSON.stringify(input));
    }
  });

  it('stays linear on a megabyte bundle and a huge cat list', () => {
    const MB = 1 << 20;
    for (const bundle of ['a'.repeat(MB), 'aA'.repeat(MB / 2), '.'.repeat(MB), `${'x'.repeat(MB)}kids`]) {
      assert.equal(runGate(gate, app(bundle), withCats(['IAB25'])).skipped, true);
    }
    const cats = Array.from({ length: 200_000 }, (_, i) => `IAB${i % 30}-${i % 7}`);
    assertFailed(runGate(gate, coppa(), withCats(cats)));
  });

  it('rejects bad options at construction', () => {
    for (const unsafeCategories of ['IAB25', null, [1]]) {
      assert.throws(() => audienceSafety({ unsafeCategories } as never), /unsafeCategories must be an array of strings/);
    }
    assert.throws(() => audienceSafety({ unsafeCategories: [] }), /unsafeCategories must not be empty/);
    assert.throws(() => audienceSafety({ unsafeCategories: ['  '] }), /unsafeCategories\[0\] is not a valid entry/);
    for (const bundleKeywords of ['kids', null, [7]]) {
      assert.throws(() => audienceSafety({ bundleKeywords } as never), /bundleKeywords must be an array of strings/);
    }
    for (const bad of ['', 'kid s', 'kids!', 'enfants-'] as const) {
      assert.throws(() => audienceSafety({ bundleKeywords: ['kids', bad] }), /bundleKeywords\[1\] is not a valid entry/);
    }
    assert.throws(() => audienceSafety('kids' as never), /options must be an object/);
    assert.throws(() => audienceSafety({ name: '' }), /gate name/);
  });
});
