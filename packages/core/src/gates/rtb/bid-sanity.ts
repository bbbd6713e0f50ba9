import type { Gate, GateOptions } from '../../types.js';
import { assertOptionsObject, booleanOption, gateName } from '../options.js';
import {
  BidFindings,
  NO_BIDS,
  bidImpid,
  currencyOf,
  failClosed,
  impsById,
  isObject,
  malformedOutcome,
  objectField,
  readBids,
  readImps,
  readRequest,
  type JsonObject,
} from './openrtb.js';
import { markSignalFree } from '../../signal-free.js';

export interface BidSanityOptions extends GateOptions {
  /**
   * A bid may be at most this many times the matched imp's positive `bidfloor`. Default 50; at least 1;
   * `Infinity` turns the check off.
   */
  maxFloorMultiple?: number;
  /** Highest acceptable price (CPM), in the response's own currency. Default `Infinity` (no cap); must be > 0. */
  maxPrice?: number;
  /** Also fail a bid priced below the matched imp's `bidfloor` (exchanges drop those). Default false. */
  rejectBelowFloor?: boolean;
}

export const DEFAULT_MAX_FLOOR_MULTIPLE = 50;

/**
 * `rtb.bid-sanity`: every bid's `price` is a finite number, not negative, not above `maxPrice`, and not above
 * `maxFloorMultiple` × the positive `bidfloor` of the imp it bids on (matched by `impid`). A bid that names a
 * deal (`dealid`) of that imp's `pmp.deals` is held to the deal's own floor when the deal has one.
 *
 * Floors are only compared in the same currency: the imp's `bidfloorcur` against the response's `cur` (both
 * default to USD, compared case-insensitively). When they differ there is no exchange rate to apply, so that bid's
 * floor checks are skipped and counted in `details.floorChecksSkipped`. A bid whose impid matches no imp (the
 * business of `rtb.impid-match`), a missing request, or an imp without a positive numeric `bidfloor` also means
 * no floor check. Skipped when the response has no bids; fails on a malformed response or request.
 */
export function bidSanity(options?: BidSanityOptions): Gate {
  assertOptionsObject(options, 'rtb.bidSanity');
  const maxFloorMultiple: unknown =
    options?.maxFloorMultiple === undefined ? DEFAULT_MAX_FLOOR_MULTIPLE : options.maxFloorMultiple;
  if (typeof maxFloorMultiple !== 'number' || Number.isNaN(maxFloorMultiple) || maxFloorMultiple < 1) {
    throw new TypeError('rtb.bidSanity: maxFloorMultiple must be a number ≥ 1 (Infinity disables the check)');
  }
  const maxPrice: unknown = options?.maxPrice === undefined ? Infinity : options.maxPrice;
  if (typeof maxPrice !== 'number' || Number.isNaN(maxPrice) || maxPrice <= 0) {
    throw new TypeError('rtb.bidSanity: maxPrice must be a number > 0 (Infinity for no cap)');
  }
  const rejectBelowFloor = booleanOption(options?.rejectBelowFloor, false, 'rtb.bidSanity: rejectBelowFloor');
  const name = gateName(options, 'rtb.bid-sanity');
  const messages = {
    'price-invalid': 'bid price missing or not a finite number',
    'price-negative': 'bid price is negative',
    'price-above-max': `bid price above maxPrice ${maxPrice}`,
    'price-above-floor-multiple': `bid price above ${maxFloorMultiple}× the imp bidfloor`,
    'price-below-floor': 'bid price below the imp bidfloor',
  };
  const checksFloors = maxFloorMultiple !== Infinity || rejectBelowFloor;
  return markSignalFree({
    name,
    run: failClosed((ctx) => {
      const read = readBids(ctx);
      if (read.kind === 'malformed') return malformedOutcome(read.problem);
      if (read.kind === 'none') return NO_BIDS;
      let floors: Map<string, JsonObject> | undefined;
      const request = readRequest(ctx);
      if (request.kind === 'malformed') return malformedOutcome(request.problem);
      if (request.kind === 'ok' && checksFloors) {
        const imps = readImps(request.request);
        if (imps.kind === 'malformed') return malformedOutcome(imps.problem);
        floors = impsById(imps.imps);
      }
      const responseCurrency = currencyOf(read.response['cur']);
      const findings = new BidFindings(read.bids.length);
      let floorChecks = 0;
      let floorChecksSkipped = 0;
      for (const ref of read.bids) {
        const price = ref.bid['price'];
        if (typeof price !== 'number' || !Number.isFinite(price)) {
          findings.add(ref, 'price-invalid');
          continue;
        }
        if (price < 0) {
          findings.add(ref, 'price-negative');
          continue;
        }
        if (price > maxPrice) findings.add(ref, 'price-above-max');
        const impid = bidImpid(ref.bid);
        const imp = impid === undefined ? undefined : floors?.get(impid);
        const floored = imp === undefined ? undefined : applicableFloor(imp, ref.bid);
        if (floored === undefined) continue;
        const floor = positiveFloor(floored);
        if (floor === undefined) continue;
        const floorCurrency = currencyOf(floored['bidfloorcur']);
        if (floorCurrency === undefined || responseCurrency === undefined || floorCurrency !== responseCurrency) {
          floorChecksSkipped++;
          continue;
        }
        floorChecks++;
        if (price > floor * maxFloorMultiple) findings.add(ref, 'price-above-floor-multiple');
        if (rejectBelowFloor && price < floor) findings.add(ref, 'price-below-floor');
      }
      const notes = floorChecksSkipped > 0 ? { floorChecks, floorChecksSkipped } : undefined;
      return findings.outcome(messages, notes);
    }),
  });
}

/**
 * The object whose `bidfloor`/`bidfloorcur` binds this bid: the deal it names in `dealid` when that deal is in the
 * imp's `pmp.deals` and has a positive floor of its own (deal floors are often far above the open-auction floor),
 * otherwise the imp itself.
 */
function applicableFloor(imp: JsonObject, bid: JsonObject): JsonObject {
  const dealid = bid['dealid'];
  if (typeof dealid !== 'string' || dealid === '') return imp;
  const deals = objectField(imp, 'pmp')?.['deals'];
  if (!Array.isArray(deals)) return imp;
  for (const deal of deals) {
    if (isObject(deal) && deal['id'] === dealid && positiveFloor(deal) !== undefined) return deal;
  }
  return imp;
}

function positiveFloor(holder: JsonObject): number | undefined {
  const floor = holder['bidfloor'];
  return typeof floor === 'number' && Number.isFinite(floor) && floor > 0 ? floor : undefined;
}
