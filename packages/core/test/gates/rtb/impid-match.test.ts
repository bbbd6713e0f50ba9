import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { impidMatch } from '../../../src/gates/rtb/impid-match.js';
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

const gate = impidMatch();
const response = (...impids: unknown[]) => ({ id: 'r', seatbid: [{ seat: 's', bid: impids.map((impid, i) => ({ id: `b${i}`, impid, price: 1 })) }] });
const request = (...ids: unknown[]) => ({ id: 'r', imp: ids.map((id) => ({ id, banner: { w: 300, h: 250 } })) });

describe('rtb.impidMatch', () => {
  it('is exposed as rtb.impidMatch with the default name and accepts an override', () => {
    assert.equal(rtb.impidMatch, impidMatch);
    assert.equal(gate.name, 'rtb.impid-match');
    assert.equal(impidMatch({ name: 'impids' }).name, 'impids');
  });

  it('passes realistic 2.5 and 2.6 exchanges: banner, video, native, pmp, several seats and imps', () => {
    assertPassed(runGate(gate, siteBannerRequest25(), siteBannerResponse25()));
    assertPassed(runGate(gate, appVideoRequest26(), appVideoResponse26()));
    assertPassed(runGate(gate, siteNativeRequest25(), siteNativeResponse25()));
    assertPassed(runGate(gate, pmpDealRequest26(), pmpDealResponse26()));
  });

  it('accepts request and response as JSON texts', () => {
    assertPassed(runGate(gate, JSON.stringify(siteBannerRequest25()), JSON.stringify(siteBannerResponse25())));
    const wrong = siteBannerResponse25();
    wrong.seatbid[1]!.bid[0]!.impid = '3';
    assertFailed(runGate(gate, JSON.stringify(siteBannerRequest25()), JSON.stringify(wrong)));
  });

  it('fails a bid whose impid is not one of the request imps, with counts and positions but no ids', () => {
    const req = request('imp-7f3a9c', 'imp-0b2d4e');
    const res = response('imp-7f3a9c', 'imp-ghost-91', 'imp-0b2d4e');
    const outcome = assertFailed(runGate(gate, req, res));
    assert.equal(outcome.reason, 'bid impid not found in request imps (1 of 3 bids)');
    assert.deepEqual(outcome.details.problems, { 'impid-unknown': 1 });
    assert.deepEqual(outcome.details.offenders, [{ seat: 0, bid: 1, problem: 'impid-unknown' }]);
    assertReasonQuotesNoPayload(outcome, req, res);
    assert.ok(!JSON.stringify(outcome.details).includes('ghost'));
  });

  it('matches ids exactly: case, whitespace and numeric look-alikes do not count', () => {
    for (const impid of ['Imp-1', 'imp-1 ', ' imp-1']) {
      assertFailed(runGate(gate, request('imp-1'), response(impid)));
    }
    const numeric = assertFailed(runGate(gate, request('1'), response(1)));
    assert.equal(numeric.reason, 'bid impid missing or not a string (1 of 1 bid)');
  });

  it('fails a missing, empty or non-string impid', () => {
    for (const impid of [undefined, null, '', 0, true, ['1'], { id: '1' }]) {
      const outcome = assertFailed(runGate(gate, request('1'), response(impid)));
      assert.equal(outcome.reason, 'bid impid missing or not a string (1 of 1 bid)', JSON.stringify(impid));
    }
  });

  it('reports both kinds of problem together', () => {
    const outcome = assertFailed(runGate(gate, request('1', '2'), response('1', 'x', undefined, 'y')));
    assert.equal(outcome.reason, 'bid impid not found in request imps (2 of 4 bids); bid impid missing or not a string (1 of 4 bids)');
    assert.equal(outcome.details.failedBids, 3);
  });

  it('lets several bids and seats bid on the same imp', () => {
    const res = { seatbid: [{ bid: [{ impid: 'a' }, { impid: 'a' }] }, { bid: [{ impid: 'a' }] }] };
    assertPassed(runGate(gate, request('a', 'b'), res));
  });

  it('cannot match imps without a usable id', () => {
    const outcome = assertFailed(runGate(gate, { imp: [{ id: 1 }, { id: '' }, {}] }, response('1')));
    assert.match(outcome.reason, /not found in request imps/);
  });

  it('is skipped when the response has no bids', () => {
    for (const output of noBidResponses()) {
      assertSkipped(runGate(gate, siteBannerRequest25(), output), 'no bids in response');
    }
  });

  it('is skipped when there is no request or the request has no imps', () => {
    for (const input of [undefined, null, '', { id: 'r' }, { imp: [] }, { imp: null }, '{"id":"r","imp":[]}']) {
      assertSkipped(runGate(gate, input, siteBannerResponse25()), 'no request imps to match bids against');
    }
  });

  it('fails (never throws) on a malformed request', () => {
    for (const input of [...malformedRequests(), ...malformedImpRequests()]) {
      const outcome = assertFailed(runGate(gate, input, siteBannerResponse25()));
      assert.match(outcome.reason, /^request /, JSON.stringify(input));
    }
  });

  it('fails (never throws) on a malformed response, even without a request', () => {
    for (const output of malformedResponses()) {
      for (const input of [siteBannerRequest25(), undefined]) {
        const outcome = assertFailed(runGate(gate, input, output));
        assert.match(outcome.reason, /^(response |OpenRTB payload could not be read)/);
      }
    }
  });

  it('stays linear on thousands of imps and bids', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `imp-${i}`);
    const outcome = assertFailed(runGate(gate, request(...ids), response(...ids, 'imp-x')));
    assert.equal(outcome.reason, 'bid impid not found in request imps (1 of 20001 bids)');
  });

  it('rejects bad options at construction', () => {
    assert.throws(() => impidMatch('x' as never), /options must be an object/);
    assert.throws(() => impidMatch(null as never), /options must be an object/);
    assert.throws(() => impidMatch({ name: ' ' }), /gate name/);
  });
});
