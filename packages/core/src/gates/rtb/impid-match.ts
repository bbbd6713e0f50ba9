import type { Gate, GateOptions } from '../../types.js';
import { assertOptionsObject, gateName } from '../options.js';
import {
  BidFindings,
  bidImpid,
  failClosed,
  impsById,
  malformedOutcome,
  readBidsWithRequest,
  readImps,
  skipped,
} from './openrtb.js';
import { markSignalFree } from '../../signal-free.js';

export type ImpidMatchOptions = GateOptions;

const MESSAGES = {
  'impid-invalid': 'bid impid missing or not a string',
  'impid-unknown': 'bid impid not found in request imps',
};

/**
 * `rtb.impid-match`: every `seatbid[].bid[].impid` must be a non-empty string equal (exactly, case-sensitively)
 * to the `id` of one of the request's `imp[]`. Skipped when the response has no bids, when there is no request, or
 * when the request has no imps. Fails on a malformed response or request. Reasons carry counts, never the ids.
 */
export function impidMatch(options?: ImpidMatchOptions): Gate {
  assertOptionsObject(options, 'rtb.impidMatch');
  const name = gateName(options, 'rtb.impid-match');
  return markSignalFree({
    name,
    run: failClosed((ctx) => {
      const read = readBidsWithRequest(ctx, 'no request imps to match bids against');
      if (read.done) return read.done;
      const imps = readImps(read.request);
      if (imps.kind === 'malformed') return malformedOutcome(imps.problem);
      if (imps.imps.length === 0) return skipped('no request imps to match bids against');
      const known = impsById(imps.imps);
      const findings = new BidFindings(read.bids.length);
      for (const ref of read.bids) {
        const impid = bidImpid(ref.bid);
        if (impid === undefined) findings.add(ref, 'impid-invalid');
        else if (!known.has(impid)) findings.add(ref, 'impid-unknown');
      }
      return findings.outcome(MESSAGES);
    }),
  });
}
