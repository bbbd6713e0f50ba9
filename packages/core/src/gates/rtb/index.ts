/**
 * The OpenRTB gates (docs/sdk.md, Built-in gates): `gates.rtb.tmaxGuard()`, `gates.rtb.bidSanity()`, … They read the bid request
 * from `ctx.input` and judge the bid response in `ctx.output` (objects, or JSON texts of objects; see openrtb.ts).
 */
import { adomainVerify } from './adomain-verify.js';
import { audienceSafety } from './audience-safety.js';
import { bcatCompliance } from './bcat-compliance.js';
import { bidSanity } from './bid-sanity.js';
import { impidMatch } from './impid-match.js';
import { tmaxGuard } from './tmax-guard.js';

export const rtb = Object.freeze({ tmaxGuard, impidMatch, adomainVerify, bidSanity, audienceSafety, bcatCompliance });

export { adomainVerify, audienceSafety, bcatCompliance, bidSanity, impidMatch, tmaxGuard };
export { DEFAULT_PLACEHOLDER_DOMAINS, type AdomainVerifyOptions } from './adomain-verify.js';
export { DEFAULT_BUNDLE_KEYWORDS, DEFAULT_UNSAFE_CATEGORIES, type AudienceSafetyOptions } from './audience-safety.js';
export type { BcatComplianceOptions } from './bcat-compliance.js';
export { DEFAULT_MAX_FLOOR_MULTIPLE, type BidSanityOptions } from './bid-sanity.js';
export type { ImpidMatchOptions } from './impid-match.js';
export { DEFAULT_TMAX_BUFFER_MS, type TmaxGuardOptions } from './tmax-guard.js';
