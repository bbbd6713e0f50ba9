import type { Gate, GateOptions } from '../../types.js';
import { assertOptionsObject, gateName } from '../options.js';
import {
  BidFindings,
  categoriesOf,
  cattaxOf,
  coveredCategories,
  failClosed,
  malformedOutcome,
  readBidsWithRequest,
  skipped,
} from './openrtb.js';
import { markSignalFree } from '../../signal-free.js';

export type BcatComplianceOptions = GateOptions;

const MESSAGES = {
  'cat-invalid': 'bid cat is not an array',
  'cat-blocked': 'bid category blocked by request bcat',
};

/**
 * `rtb.bcat-compliance`: no entry of a bid's `cat` may appear in the request's `bcat`. Codes compare trimmed and
 * case-insensitively, and a blocked tier-1 code blocks its sub-categories (`bcat: ["IAB25"]` blocks `IAB25-3`;
 * a blocked `IAB25-3` does not block a bid that only declares `IAB25`).
 *
 * OpenRTB 2.6 lets the request (`cattax`, for `bcat`) and each bid (`bid.cattax`) name their taxonomy, default 1
 * (IAB 1.0). Codes of different taxonomies cannot be compared, so such a bid is not judged; it is counted in
 * `details.unverifiedBids` instead. Skipped when the request has no `bcat` (or there is no request) or the response
 * has no bids; fails on a malformed response, a request that is not an object or whose `bcat` is not an array, and
 * a bid whose `cat` is not an array. The blocked codes found are in `details`, never in the reason.
 */
export function bcatCompliance(options?: BcatComplianceOptions): Gate {
  assertOptionsObject(options, 'rtb.bcatCompliance');
  const name = gateName(options, 'rtb.bcat-compliance');
  return markSignalFree({
    name,
    run: failClosed((ctx) => {
      const read = readBidsWithRequest(ctx, 'no request bcat');
      if (read.done) return read.done;
      const bcat = categoriesOf(read.request, 'bcat');
      if (bcat === null) return malformedOutcome('request bcat is not an array');
      if (bcat === undefined || bcat.length === 0) return skipped('no request bcat');
      const blocked: ReadonlySet<string> = new Set(bcat);
      const requestTaxonomy = cattaxOf(read.request);
      const findings = new BidFindings(read.bids.length);
      let unverifiedBids = 0;
      for (const ref of read.bids) {
        const codes = categoriesOf(ref.bid, 'cat');
        if (codes === null) {
          findings.add(ref, 'cat-invalid');
          continue;
        }
        if (codes === undefined || codes.length === 0) continue;
        const bidTaxonomy = cattaxOf(ref.bid);
        if (requestTaxonomy === undefined || bidTaxonomy !== requestTaxonomy) {
          unverifiedBids++;
          continue;
        }
        const hits = coveredCategories(codes, blocked);
        if (hits.length > 0) findings.add(ref, 'cat-blocked', hits);
      }
      return findings.outcome(MESSAGES, unverifiedBids > 0 ? { unverifiedBids } : undefined);
    }),
  });
}
