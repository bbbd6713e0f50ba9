import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bidSanity } from '../../../src/gates/rtb/bid-sanity.js';
import { rtb } from '../../../src/gates/rtb/index.js';
import {
  assertFailed,
  assertPassed,
  assertReasonQuotesNoPayload,
  assertSkipped,
  malformedImpRequests,
  malformedRequests,
  runGate,
} from '../../fixtures/openrtb/context.js';
import { appVideoRequest26, pmpDealRequest26, siteBannerRequest25, siteNativeRequest25 } from '../../fixtures/openrtb/requests.js';
import {
  appVideoResponse26,
  malformedResponses,
  noBidResponses,
  pmpDealResponse26,
  siteBannerResponse25,
  siteNativeResponse25,
} from '../../fixtures/openrtb/responses.js';

const gate = bidSanity();
const bidding = (bids: Record<string, unknown>[], cur?: unknown) => ({
  id: 'r',
  ...(cur === undefined ? {} : { cur }),
  seatbid: [{ seat: 's', bid: bids.map((b, i) => ({ id: `b${i}`, impid: '1', adomain: ['nike.com'], ...b })) }],
});
const priced = (...prices: unknown[]) => bidding(prices.map((price) => ({ price })));
const floored = (bidfloor: unknown, bidfloorcur?: unknown) => ({
  id: 'r',
  imp: [{ id: '1', bidfloor, ...(bidfloorcur === undefined ? {} : { bidfloorcur }), banner: { w: 300, h: 250 } }],
});

describe('rtb.bidSanity', () => {
  it('is exposed as rtb.bidSanity with the default name and accepts an override', () => {
    assert.equal(rtb.bidSanity, bidSanity);
    assert.equal(gate.name, 'rtb.bid-sanity');
    assert.equal(bidSanity({ name: 'prices' }).name, 'prices');
  });

  it('passes realistic exchanges, including EUR video and a deal bid', () => {
    assertPassed(runGate(gate, siteBannerRequest25(), siteBannerResponse25()));
    assertPassed(runGate(gate, appVideoRequest26(), appVideoResponse26()));
    assertPassed(runGate(gate, siteNativeRequest25(), siteNativeResponse25()));
    assertPassed(runGate(gate, pmpDealRequest26(), pmpDealResponse26()));
    assertPassed(runGate(gate, JSON.stringify(siteBannerRequest25()), JSON.stringify(siteBannerResponse25())));
  });

  it('fails a price that is missing or not a finite number', () => {
    for (const price of [undefined, null, '1.5', Number.NaN, Infinity, -Infinity, [1], { cpm: 1 }, true]) {
      const outcome = assertFailed(runGate(gate, undefined, priced(price)));
      assert.equal(outcome.reason, 'bid price missing or not a finite number (1 of 1 bid)', String(price));
    }
  });

  it('fails a negative price and accepts zero', () => {
    assert.equal(assertFailed(runGate(gate, undefined, priced(-0.01))).reason, 'bid price is negative (1 of 1 bid)');
    assertPassed(runGate(gate, undefined, priced(0)));
  });

  it('caps prices at maxPrice (in the response currency), inclusive', () => {
    const capped = bidSanity({ maxPrice: 20 });
    assertPassed(runGate(capped, undefined, priced(20, 19.99)));
    const outcome = assertFailed(runGate(capped, undefined, priced(20, 20.01, 500)));
    assert.equal(outcome.reason, 'bid price above maxPrice 20 (2 of 3 bids)');
    assert.deepEqual(outcome.details.offenders.map((o) => o.bid), [1, 2]);
    assertPassed(runGate(gate, undefined, priced(1e9)));
    assertPassed(runGate(bidSanity({ maxPrice: Infinity }), undefined, priced(1e9)));
  });

  it('fails a price above maxFloorMultiple × the matched imp floor (default 50), inclusive', () => {
    assertPassed(runGate(gate, floored(0.85), priced(42.5)));
    const outcome = assertFailed(runGate(gate, floored(0.85), priced(42.51)));
    assert.equal(outcome.reason, 'bid price above 50× the imp bidfloor (1 of 1 bid)');
    assertReasonQuotesNoPayload(outcome, floored(0.85), priced(42.51));
    const tight = bidSanity({ maxFloorMultiple: 10 });
    assertPassed(runGate(tight, floored(2), priced(20)));
    assert.equal(assertFailed(runGate(tight, floored(2), priced(20.5))).reason, 'bid price above 10× the imp bidfloor (1 of 1 bid)');
    assertPassed(runGate(bidSanity({ maxFloorMultiple: Infinity }), floored(0.01), priced(1e6)));
  });

  it('uses the floor of the imp each bid names', () => {
    const req = { imp: [{ id: 'cheap', bidfloor: 0.1 }, { id: 'dear', bidfloor: 5 }] };
    const res = bidding([
      { impid: 'dear', price: 100 },
      { impid: 'cheap', price: 100 },
    ]);
    const outcome = assertFailed(runGate(gate, req, res));
    assert.deepEqual(outcome.details.offenders, [{ seat: 0, bid: 1, problem: 'price-above-floor-multiple' }]);
  });

  it('has no floor to check without a positive numeric bidfloor, a request, or a matching imp', () => {
    for (const bidfloor of [undefined, 0, -1, '0.5', null, Number.NaN]) {
      assertPassed(runGate(gate, floored(bidfloor), priced(1000)));
    }
    assertPassed(runGate(gate, undefined, priced(1000)));
    assertPassed(runGate(gate, { id: 'r' }, priced(1000)));
    assertPassed(runGate(gate, floored(0.01), bidding([{ impid: 'elsewhere', price: 1000 }])));
    assertPassed(runGate(gate, floored(0.01), bidding([{ impid: 1, price: 1000 }])));
  });

  it('compares floors only in the same currency, defaulting both sides to USD', () => {
    // Same currency, spelled differently or defaulted: the floor applies.
    assertFailed(runGate(gate, floored(1, 'eur'), bidding([{ price: 51 }], ' EUR ')));
    assertFailed(runGate(gate, floored(1), bidding([{ price: 51 }], 'USD')));
    assertFailed(runGate(gate, floored(1, 'USD'), bidding([{ price: 51 }])));
    // Different or unreadable currencies: no exchange rate, so no floor check, and the skip is recorded.
    for (const [floorCur, cur] of [
      ['EUR', 'USD'],
      ['JPY', undefined],
      [42, 'USD'],
      ['USD', ['USD']],
    ] as const) {
      const outcome = runGate(gate, floored(1, floorCur), bidding([{ price: 51 }], cur));
      assert.deepEqual(outcome, { passed: true, details: { floorChecks: 0, floorChecksSkipped: 1 } }, `${floorCur}/${String(cur)}`);
    }
  });

  it('holds a deal bid to its deal floor', () => {
    const req = pmpDealRequest26();
    req.imp[0]!.bidfloor = 0.1;
    // 9.5 is far above 50 × 0.1, but the bid names DEAL-AUTO-2024-Q2 whose floor is 8.
    assertPassed(runGate(gate, req, pmpDealResponse26()));
    const openAuction = pmpDealResponse26();
    delete (openAuction.seatbid[0]!.bid[0] as { dealid?: string }).dealid;
    assertFailed(runGate(gate, req, openAuction));
    const unknownDeal = pmpDealResponse26();
    unknownDeal.seatbid[0]!.bid[0]!.dealid = 'DEAL-NOT-OFFERED';
    assertFailed(runGate(gate, req, unknownDeal));
  });

  it('optionally rejects bids below the floor (deal floor for deal bids)', () => {
    assertPassed(runGate(gate, floored(1), priced(0.5)));
    const strict = bidSanity({ rejectBelowFloor: true });
    assertPassed(runGate(strict, floored(1), priced(1)));
    assert.equal(assertFailed(runGate(strict, floored(1), priced(0.99))).reason, 'bid price below the imp bidfloor (1 of 1 bid)');
    const below = pmpDealResponse26();
    below.seatbid[0]!.bid[0]!.price = 6;
    assertFailed(runGate(strict, pmpDealRequest26(), below));
    delete (below.seatbid[0]!.bid[0] as { dealid?: string }).dealid;
    assertPassed(runGate(strict, pmpDealRequest26(), below));
    // With the multiple switched off, the below-floor check still runs.
    assertFailed(runGate(bidSanity({ rejectBelowFloor: true, maxFloorMultiple: Infinity }), floored(1), priced(0.5)));
  });

  it('reports several problems at once', () => {
    const outcome = assertFailed(runGate(bidSanity({ maxPrice: 100 }), floored(1), priced('x', -1, 80, 200, 5)));
    assert.equal(
      outcome.reason,
      'bid price missing or not a finite number (1 of 5 bids); bid price is negative (1 of 5 bids); ' +
        'bid price above 50× the imp bidfloor (2 of 5 bids); bid price above maxPrice 100 (1 of 5 bids)',
    );
    assert.equal(outcome.details.failedBids, 4);
  });

  it('is skipped when the response has no bids', () => {
    for (const output of noBidResponses()) assertSkipped(runGate(gate, siteBannerRequest25(), output), 'no bids in response');
  });

  it('fails (never throws) on a malformed response or request', () => {
    for (const output of malformedResponses()) assertFailed(runGate(gate, siteBannerRequest25(), output));
    for (const input of [...malformedRequests(), ...malformedImpRequests()]) {
      assert.match(assertFailed(runGate(gate, input, priced(1))).reason, /^request /, JSON.stringify(input));
    }
  });

  it('rejects bad options at construction', () => {
    for (const maxFloorMultiple of [0, 0.5, -1, Number.NaN, '50', null]) {
      assert.throws(() => bidSanity({ maxFloorMultiple } as never), /maxFloorMultiple must be a number ≥ 1/, String(maxFloorMultiple));
    }
    for (const maxPrice of [0, -1, Number.NaN, '10', null]) {
      assert.throws(() => bidSanity({ maxPrice } as never), /maxPrice must be a number > 0/, String(maxPrice));
    }
    assert.throws(() => bidSanity({ rejectBelowFloor: 'yes' } as never), /rejectBelowFloor must be a boolean/);
    assert.throws(() => bidSanity([] as never), /options must be an object/);
    assert.throws(() => bidSanity({ name: '' }), /gate name/);
  });
});
