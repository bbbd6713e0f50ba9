import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rtb } from '../../../src/gates/rtb/index.js';
import type { Gate } from '../../../src/types.js';
import { malformedImpRequests, malformedRequests, runGate } from '../../fixtures/openrtb/context.js';
import * as requests from '../../fixtures/openrtb/requests.js';
import * as responses from '../../fixtures/openrtb/responses.js';

const allGates = (): Gate[] => [
  rtb.tmaxGuard(),
  rtb.impidMatch(),
  rtb.adomainVerify(),
  rtb.bidSanity(),
  rtb.audienceSafety(),
  rtb.bcatCompliance(),
];

const pairs: [string, () => unknown, () => unknown][] = [
  ['2.5 site banner, two seats', requests.siteBannerRequest25, responses.siteBannerResponse25],
  ['2.6 app video in EUR', requests.appVideoRequest26, responses.appVideoResponse26],
  ['2.5 site native', requests.siteNativeRequest25, responses.siteNativeResponse25],
  ['2.6 pmp deal', requests.pmpDealRequest26, responses.pmpDealResponse26],
  ['2.6 COPPA kids app, kid-safe bid', requests.kidsAppCoppaRequest26, responses.kidsSafeResponse26],
];

/** Inputs no request-reading gate can use: all four must fail on them. */
function unusableRequests(): unknown[] {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  return [...malformedRequests(), revoked.proxy];
}

/** Request objects whose imps cannot be read: the gates that need imps (impid-match, bid-sanity) must fail. */
function unusableImps(): unknown[] {
  const throwingImp = { id: 'q' };
  Object.defineProperty(throwingImp, 'imp', {
    enumerable: true,
    get() {
      throw new Error('no');
    },
  });
  return [...malformedImpRequests(), throwingImp];
}

const READS_IMPS = new Set(['rtb.impid-match', 'rtb.bid-sanity']);
const READS_REQUEST = new Set([...READS_IMPS, 'rtb.audience-safety', 'rtb.bcat-compliance']);

describe('rtb gates together', () => {
  it('exposes exactly the six factories, frozen', () => {
    assert.deepEqual(Object.keys(rtb), ['tmaxGuard', 'impidMatch', 'adomainVerify', 'bidSanity', 'audienceSafety', 'bcatCompliance']);
    assert.ok(Object.isFrozen(rtb));
    assert.deepEqual(
      allGates().map((g) => g.name),
      ['rtb.tmax-guard', 'rtb.impid-match', 'rtb.adomain-verify', 'rtb.bid-sanity', 'rtb.audience-safety', 'rtb.bcat-compliance'],
    );
  });

  for (const [label, request, response] of pairs) {
    it(`lets a valid exchange through every gate: ${label}`, () => {
      for (const gate of allGates()) {
        const outcome = runGate(gate, request(), response(), { tmaxMs: 3_600_000, startedAt: Date.now() });
        assert.equal(outcome.passed, true, `${gate.name}: ${outcome.reason}`);
      }
    });
  }

  it('never throws and always fails a malformed response, whatever the request', () => {
    for (const gate of allGates().slice(1)) {
      for (const output of responses.malformedResponses()) {
        for (const input of [requests.kidsAppCoppaRequest26(), undefined, ...unusableRequests(), ...unusableImps()]) {
          const outcome = runGate(gate, input, output);
          assert.equal(outcome.passed, false, gate.name);
          assert.equal(typeof outcome.reason, 'string');
        }
      }
    }
  });

  it('never throws on hostile requests, and fails rather than skips where it needs them', () => {
    for (const gate of allGates()) {
      for (const input of unusableRequests()) {
        const outcome = runGate(gate, input, responses.kidsUnsafeResponse26());
        if (READS_REQUEST.has(gate.name)) assert.equal(outcome.passed, false, gate.name);
      }
      for (const input of unusableImps()) {
        const outcome = runGate(gate, input, responses.kidsUnsafeResponse26());
        if (READS_IMPS.has(gate.name)) assert.equal(outcome.passed, false, gate.name);
      }
    }
  });

  it('skips (passing) on every no-bid response', () => {
    for (const gate of allGates().slice(1)) {
      for (const output of responses.noBidResponses()) {
        const outcome = runGate(gate, requests.siteBannerRequest25(), output);
        assert.deepEqual(outcome, { passed: true, skipped: true, reason: 'no bids in response' });
      }
    }
  });

  it('is stateless: one gate instance judges interleaved evaluations independently', () => {
    const gate = rtb.impidMatch();
    const good = runGate(gate, requests.siteBannerRequest25(), responses.siteBannerResponse25());
    const bad = runGate(gate, requests.appVideoRequest26(), responses.siteBannerResponse25());
    const goodAgain = runGate(gate, requests.siteBannerRequest25(), responses.siteBannerResponse25());
    assert.equal(good.passed, true);
    assert.equal(bad.passed, false);
    assert.deepEqual(goodAgain, good);
  });
});
