import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bcatCompliance } from '../../../src/gates/rtb/bcat-compliance.js';
import { rtb } from '../../../src/gates/rtb/index.js';
import {
  assertFailed,
  assertPassed,
  assertReasonQuotesNoPayload,
  assertSkipped,
  malformedRequests,
  runGate,
} from '../../fixtures/openrtb/context.js';
import {
  appVideoRequest26,
  contentTaxonomy2Request26,
  siteBannerRequest25,
  siteNativeRequest25,
} from '../../fixtures/openrtb/requests.js';
import {
  appVideoResponse26,
  malformedResponses,
  noBidResponses,
  siteBannerResponse25,
  siteNativeResponse25,
} from '../../fixtures/openrtb/responses.js';

const gate = bcatCompliance();
const blocking = (bcat: unknown, extra: Record<string, unknown> = {}) => ({ id: 'q', imp: [{ id: '1' }], bcat, ...extra });
const withCats = (...cats: unknown[]) => ({
  id: 'r',
  seatbid: [{ seat: 's', bid: cats.map((cat, i) => ({ id: `b${i}`, impid: '1', price: 1, adomain: ['brand.com'], cat })) }],
});

describe('rtb.bcatCompliance', () => {
  it('is exposed as rtb.bcatCompliance with the default name and accepts an override', () => {
    assert.equal(rtb.bcatCompliance, bcatCompliance);
    assert.equal(gate.name, 'rtb.bcat-compliance');
    assert.equal(bcatCompliance({ name: 'bcat' }).name, 'bcat');
  });

  it('passes realistic exchanges whose bids avoid the blocked categories', () => {
    assertPassed(runGate(gate, siteBannerRequest25(), siteBannerResponse25()));
    assertPassed(runGate(gate, appVideoRequest26(), appVideoResponse26()));
    assertPassed(runGate(gate, JSON.stringify(appVideoRequest26()), JSON.stringify(appVideoResponse26())));
  });

  it('fails a bid declaring a blocked category, with the codes in details only', () => {
    const req = siteBannerRequest25();
    const res = siteBannerResponse25();
    res.seatbid[1]!.bid[1]!.cat = ['IAB1-1', 'IAB9-9'];
    const outcome = assertFailed(runGate(gate, req, res));
    assert.equal(outcome.reason, 'bid category blocked by request bcat (1 of 3 bids)');
    assert.deepEqual(outcome.details.offenders, [{ seat: 1, bid: 1, problem: 'cat-blocked', categories: ['IAB9-9'] }]);
    assert.ok(!outcome.reason.includes('IAB'));
    assertReasonQuotesNoPayload(outcome, req, res);
  });

  it('blocks the sub-categories of a blocked tier-1 code, but not the reverse', () => {
    const outcome = assertFailed(runGate(gate, blocking(['IAB25']), withCats(['IAB25-3'])));
    assert.deepEqual(outcome.details.offenders[0]!.categories, ['IAB25']);
    assertPassed(runGate(gate, blocking(['IAB25-3']), withCats(['IAB25'])));
    assertPassed(runGate(gate, blocking(['IAB2']), withCats(['IAB25-3'], ['IAB20'], ['IAB22-1'])));
    assertPassed(runGate(gate, blocking(['IAB7-39']), withCats(['IAB7-3'], ['IAB7'])));
  });

  it('compares codes trimmed and case-insensitively on both sides', () => {
    assertFailed(runGate(gate, blocking([' iab26 ']), withCats(['IAB26-2'])));
    assertFailed(runGate(gate, blocking(['IAB8-5']), withCats(['iab8-5\t'])));
  });

  it('counts every offending bid and lists each blocked code once', () => {
    const outcome = assertFailed(runGate(gate, blocking(['IAB25', 'IAB26']), withCats(['IAB25-1', 'IAB25-2', 'IAB26'], ['IAB1'], ['IAB26-4'])));
    assert.equal(outcome.reason, 'bid category blocked by request bcat (2 of 3 bids)');
    assert.deepEqual(outcome.details.offenders.map((o) => o.categories), [['IAB25', 'IAB26'], ['IAB26']]);
  });

  it('passes bids without cat, ignores non-string entries, fails a cat that is not an array', () => {
    assertPassed(runGate(gate, blocking(['IAB25']), withCats(undefined, null, [], [25, null])));
    const outcome = assertFailed(runGate(gate, blocking(['IAB25']), withCats('IAB25', ['IAB25'])));
    assert.equal(outcome.reason, 'bid cat is not an array (1 of 2 bids); bid category blocked by request bcat (1 of 2 bids)');
  });

  it('compares only within one taxonomy (OpenRTB 2.6 cattax, default 1)', () => {
    const ct2 = contentTaxonomy2Request26();
    // Bid in the same taxonomy as bcat: compared.
    assertFailed(runGate(gate, ct2, { seatbid: [{ bid: [{ impid: '1', price: 1, cattax: 2, cat: ['1KXCLD'] }] }] }));
    // Bid left at the default IAB 1.0 taxonomy: not comparable, counted, not failed.
    assert.deepEqual(runGate(gate, ct2, { seatbid: [{ bid: [{ impid: '1', price: 1, cat: ['1KXCLD'] }] }] }), {
      passed: true,
      details: { unverifiedBids: 1 },
    });
    // An unreadable cattax on either side is not comparable either.
    assert.equal(runGate(gate, blocking(['IAB25'], { cattax: '1' }), withCats(['IAB25'])).passed, true);
    assert.equal(runGate(gate, blocking(['IAB25']), { seatbid: [{ bid: [{ cattax: 'x', cat: ['IAB25'] }] }] }).passed, true);
    // Explicit 1 equals the default.
    assertFailed(runGate(gate, blocking(['IAB25'], { cattax: 1 }), withCats(['IAB25'])));
  });

  it('is skipped without a request bcat or without bids', () => {
    for (const input of [undefined, null, '', siteNativeRequest25(), blocking([]), blocking(null), blocking([1, null])]) {
      assertSkipped(runGate(gate, input, siteNativeResponse25()), 'no request bcat');
    }
    for (const output of noBidResponses()) assertSkipped(runGate(gate, siteBannerRequest25(), output), 'no bids in response');
  });

  it('fails (never throws) on a malformed response, request or bcat', () => {
    for (const output of malformedResponses()) assertFailed(runGate(gate, siteBannerRequest25(), output));
    for (const input of malformedRequests()) {
      assert.match(assertFailed(runGate(gate, input, siteBannerResponse25())).reason, /^request /, JSON.stringify(input));
    }
    for (const bcat of ['IAB25', { 0: 'IAB25' }, 25]) {
      assert.equal(assertFailed(runGate(gate, blocking(bcat), siteBannerResponse25())).reason, 'request bcat is not an array');
    }
  });

  it('stays linear when both bcat and cat are huge', () => {
    const codes = Array.from({ length: 100_000 }, (_, i) => `X${i}`);
    const outcome = assertFailed(runGate(gate, blocking(codes), withCats(codes)));
    assert.equal(outcome.details.offenders[0]!.categories!.length, 10);
  });

  it('rejects bad options at construction', () => {
    assert.throws(() => bcatCompliance(1 as never), /options must be an object/);
    assert.throws(() => bcatCompliance({ name: '' }), /gate name/);
  });
});
