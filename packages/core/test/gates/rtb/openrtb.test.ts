import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BidFindings,
  MAX_JSON_TEXT_LENGTH,
  MAX_REPORTED_OFFENDERS,
  cattaxOf,
  categoriesOf,
  coveredCategories,
  coveringCategory,
  currencyOf,
  failClosed,
  impsById,
  readBids,
  readImps,
  readRequest,
  type BidRef,
} from '../../../src/gates/rtb/openrtb.js';
import { rtbContext } from '../../fixtures/openrtb/context.js';
import { siteBannerRequest25 } from '../../fixtures/openrtb/requests.js';
import { malformedResponses, noBidResponses, siteBannerResponse25 } from '../../fixtures/openrtb/responses.js';

describe('OpenRTB readers', () => {
  it('reads every bid of every seat with its position', () => {
    const read = readBids(rtbContext(undefined, siteBannerResponse25()));
    assert.equal(read.kind, 'bids');
    if (read.kind !== 'bids') return;
    assert.deepEqual(
      read.bids.map((b) => [b.seat, b.index, b.bid['id']]),
      [
        [0, 0, 'b-1001'],
        [1, 0, 'b-2001'],
        [1, 1, 'b-2002'],
      ],
    );
  });

  it('reads every no-bid form as no bids', () => {
    for (const output of noBidResponses()) {
      assert.deepEqual(readBids(rtbContext(undefined, output)), { kind: 'none' }, JSON.stringify(output));
    }
  });

  it('reports which part of a malformed response is wrong, without throwing', () => {
    const problems = malformedResponses().map((output) => {
      try {
        const read = readBids(rtbContext(undefined, output));
        return read.kind === 'malformed' ? read.problem : read.kind;
      } catch (error) {
        // Only the deliberately hostile shapes (throwing getter, revoked proxy) may throw here; gates wrap them.
        return `threw ${(error as Error).constructor.name}`;
      }
    });
    assert.deepEqual(problems, [
      'response is not an object',
      'response is not an object',
      'response is a string that is not a JSON object',
      'response is a string that is not a JSON object',
      'response is not valid JSON',
      'response is a string that is not a JSON object',
      'response is an array, not an object',
      'response is an array, not an object',
      'response seatbid is not an array',
      'response seatbid is not an array',
      'response seatbid entry is not an object',
      'response seatbid entry is not an object',
      'response seatbid bid is not an array',
      'response seatbid bid is not an array',
      'response bid is not an object',
      'response bid is not an object',
      'response bid is not an object',
      'threw RangeError',
      'threw TypeError',
    ]);
  });

  it('parses a JSON text (after blanks or a BOM) once per context and per text', () => {
    const text = `\uFEFF \n${JSON.stringify(siteBannerResponse25())}`;
    const ctx = rtbContext(JSON.stringify(siteBannerRequest25()), text);
    const originalParse = JSON.parse;
    let parses = 0;
    JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
      parses++;
      return originalParse(...args);
    }) as typeof JSON.parse;
    try {
      for (let i = 0; i < 6; i++) {
        assert.equal(readBids(ctx).kind, 'bids');
        assert.equal(readRequest(ctx).kind, 'ok');
      }
      assert.equal(parses, 2);
      // A context reused with another text is decoded again, not served stale.
      ctx.output = '{"seatbid": []}';
      assert.deepEqual(readBids(ctx), { kind: 'none' });
      assert.equal(parses, 3);
    } finally {
      JSON.parse = originalParse;
    }
  });

  it('refuses to parse a JSON text longer than MAX_JSON_TEXT_LENGTH', () => {
    const huge = `{"pad":"${'x'.repeat(MAX_JSON_TEXT_LENGTH)}"}`;
    assert.deepEqual(readBids(rtbContext(undefined, huge)), {
      kind: 'malformed',
      problem: 'response is a JSON text too large to parse',
    });
  });

  it('reads the request: absent, object, JSON text or malformed', () => {
    assert.deepEqual(readRequest(rtbContext(undefined, {})), { kind: 'absent' });
    assert.deepEqual(readRequest(rtbContext(null, {})), { kind: 'absent' });
    assert.deepEqual(readRequest(rtbContext(' ', {})), { kind: 'absent' });
    assert.equal(readRequest(rtbContext({ id: 'r' }, {})).kind, 'ok');
    assert.equal(readRequest(rtbContext('{"id":"r"}', {})).kind, 'ok');
    assert.deepEqual(readRequest(rtbContext([], {})), { kind: 'malformed', problem: 'request is an array, not an object' });
    assert.deepEqual(readRequest(rtbContext('bid please', {})), {
      kind: 'malformed',
      problem: 'request is a string that is not a JSON object',
    });
  });

  it('reads imps and indexes them by non-empty string id (first wins)', () => {
    assert.deepEqual(readImps({}), { kind: 'ok', imps: [] });
    assert.deepEqual(readImps({ imp: {} }), { kind: 'malformed', problem: 'request imp is not an array' });
    assert.deepEqual(readImps({ imp: [{ id: '1' }, 'x'] }), { kind: 'malformed', problem: 'request imp entry is not an object' });
    const first = { id: 'a', n: 1 };
    const byId = impsById([first, { id: 'a', n: 2 }, { id: 1 }, { id: '' }, {}]);
    assert.deepEqual([...byId.keys()], ['a']);
    assert.equal(byId.get('a'), first);
  });

  it('normalizes categories and lets a tier-1 code cover its sub-categories, never the reverse', () => {
    assert.deepEqual(categoriesOf({ cat: [' iab25-3 ', 7, null, 'IAB1'] }, 'cat'), ['IAB25-3', 'IAB1']);
    assert.equal(categoriesOf({}, 'cat'), undefined);
    assert.equal(categoriesOf({ cat: 'IAB25' }, 'cat'), null);
    const listed = new Set(['IAB25', 'IAB7-39']);
    assert.equal(coveringCategory('IAB25-3', listed), 'IAB25');
    assert.equal(coveringCategory('IAB25', listed), 'IAB25');
    assert.equal(coveringCategory('IAB7-39', listed), 'IAB7-39');
    assert.equal(coveringCategory('IAB7', listed), undefined);
    assert.equal(coveringCategory('IAB7-3', listed), undefined);
    assert.equal(coveringCategory('IAB2', new Set(['IAB25'])), undefined);
    assert.equal(coveringCategory('IAB25-3', new Set(['IAB2'])), undefined);
    assert.deepEqual(coveredCategories(['IAB25-1', 'IAB25-2', 'IAB7-39', 'IAB1'], listed), ['IAB25', 'IAB7-39']);
  });

  it('defaults currencies and taxonomies the way OpenRTB does', () => {
    assert.equal(currencyOf(undefined), 'USD');
    assert.equal(currencyOf(' eur '), 'EUR');
    assert.equal(currencyOf(''), 'USD');
    assert.equal(currencyOf(978), undefined);
    assert.equal(cattaxOf({}), 1);
    assert.equal(cattaxOf({ cattax: 2 }), 2);
    assert.equal(cattaxOf({ cattax: '2' }), undefined);
  });

  it('turns findings into one reason per problem kind, counting each bid once per kind', () => {
    const refs: BidRef[] = Array.from({ length: 3 }, (_, index) => ({ seat: 0, index, bid: {} }));
    const findings = new BidFindings(3);
    findings.add(refs[0]!, 'a');
    findings.add(refs[0]!, 'a');
    findings.add(refs[0]!, 'b');
    findings.add(refs[2]!, 'a');
    const outcome = findings.outcome({ a: 'first problem', b: 'second problem' });
    assert.equal(outcome.reason, 'first problem (2 of 3 bids); second problem (1 of 3 bids)');
    assert.deepEqual((outcome.details as { problems: unknown }).problems, { a: 2, b: 1 });
    assert.equal((outcome.details as { failedBids: number }).failedBids, 2);
    const single = new BidFindings(1);
    single.add(refs[0]!, 'a');
    assert.equal(single.outcome({ a: 'problem' }).reason, 'problem (1 of 1 bid)');
    assert.deepEqual(new BidFindings(4).outcome({}), { passed: true });
  });

  it('lists at most MAX_REPORTED_OFFENDERS offenders but counts them all', () => {
    const findings = new BidFindings(40);
    for (let index = 0; index < 40; index++) findings.add({ seat: 1, index, bid: {} }, 'x');
    const details = findings.outcome({ x: 'bad' }).details as { offenders: unknown[]; problems: { x: number } };
    assert.equal(details.offenders.length, MAX_REPORTED_OFFENDERS);
    assert.equal(details.problems.x, 40);
  });

  it('fails closed when reading the payload throws', () => {
    const run = failClosed(() => {
      throw new TypeError('secret payload text');
    });
    assert.deepEqual(run(rtbContext({}, {})), { passed: false, reason: 'OpenRTB payload could not be read' });
  });
});
