import type { Gate, GateOptions } from '../../types.js';
import { assertOptionsObject, booleanOption, gateName } from '../options.js';
import { BidFindings, NO_BIDS, failClosed, malformedOutcome, readBids, stringListOption } from './openrtb.js';
import { markSignalFree } from '../../signal-free.js';

export interface AdomainVerifyOptions extends GateOptions {
  /** Every bid must carry a non-empty `adomain` array. Default true; when false a missing or empty one passes. */
  requireAdomain?: boolean;
  /** More placeholder domains, on top of {@link DEFAULT_PLACEHOLDER_DOMAINS}; matched like the built-in ones. */
  extraPlaceholders?: readonly string[];
}

/** Domains that stand in for a real advertiser in templates, docs and test creatives. */
export const DEFAULT_PLACEHOLDER_DOMAINS: readonly string[] = Object.freeze([
  'example.com',
  'example.org',
  'example.net',
  'test.com',
  'placeholder.com',
  'localhost',
  'foo.com',
  'bar.com',
  'advertiserdomain.com',
]);

/** Top-level names reserved by RFC 2606 / RFC 6761: no real advertiser can live under them. */
const RESERVED_TLDS: ReadonlySet<string> = new Set(['test', 'example', 'invalid', 'localhost']);

const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;

const MESSAGES = {
  'adomain-missing': 'bid adomain missing or empty',
  'adomain-invalid': 'bid adomain is not an array of strings',
  'adomain-placeholder': 'placeholder advertiser domain in bid adomain',
  'adomain-url': 'bid adomain holds a URL instead of a bare domain',
  'adomain-malformed': 'malformed advertiser domain in bid adomain',
};

type DomainVerdict = 'ok' | 'placeholder' | 'url' | 'malformed';

/**
 * `rtb.adomain-verify`: each bid's `adomain` must be a non-empty array (unless `requireAdomain: false`) of real
 * advertiser domains.
 *
 * - Domains are compared trimmed, lower-cased and without a trailing root dot.
 * - A placeholder also covers its subdomains (`www.example.com`, `cdn.test.com`), and anything under a reserved
 *   top-level name (`.test`, `.example`, `.invalid`, `.localhost`) is a placeholder too.
 * - Well-formed means a bare host name: at least two dot-separated labels of 1–63 letters, digits or inner
 *   hyphens, 253 characters at most, and a top-level label that is alphabetic (2+ letters) or punycode (`xn--…`).
 *   Internationalized names must be given in punycode. IP addresses, `host:port`, `user@host`, underscores and
 *   whitespace are malformed; anything with a path or scheme (`https://brand.com`, `brand.com/shoes`) is reported
 *   as a URL.
 * Skipped when the response has no bids; fails on a malformed response. Reasons never quote a domain.
 */
export function adomainVerify(options?: AdomainVerifyOptions): Gate {
  assertOptionsObject(options, 'rtb.adomainVerify');
  const requireAdomain = booleanOption(options?.requireAdomain, true, 'rtb.adomainVerify: requireAdomain');
  const extras = stringListOption(
    options?.extraPlaceholders,
    'rtb.adomainVerify: extraPlaceholders',
    normalizeDomain,
    (domain) => domain !== '' && domain.length <= MAX_DOMAIN_LENGTH,
  );
  const placeholders: ReadonlySet<string> = new Set([...DEFAULT_PLACEHOLDER_DOMAINS, ...(extras ?? [])]);
  const name = gateName(options, 'rtb.adomain-verify');
  return markSignalFree({
    name,
    run: failClosed((ctx) => {
      const read = readBids(ctx);
      if (read.kind === 'malformed') return malformedOutcome(read.problem);
      if (read.kind === 'none') return NO_BIDS;
      const findings = new BidFindings(read.bids.length);
      for (const ref of read.bids) {
        const adomain = ref.bid['adomain'];
        if (adomain === undefined || adomain === null || (Array.isArray(adomain) && adomain.length === 0)) {
          if (requireAdomain) findings.add(ref, 'adomain-missing');
          continue;
        }
        if (!Array.isArray(adomain)) {
          findings.add(ref, 'adomain-invalid');
          continue;
        }
        for (const entry of adomain) {
          if (typeof entry !== 'string') {
            findings.add(ref, 'adomain-invalid');
            continue;
          }
          const verdict = classifyDomain(entry, placeholders);
          if (verdict !== 'ok') findings.add(ref, `adomain-${verdict}`);
        }
      }
      return findings.outcome(MESSAGES);
    }),
  });
}

/** Trimmed, lower-cased, without the root dot of a fully-qualified name. */
export function normalizeDomain(raw: string): string {
  const domain = raw.trim().toLowerCase();
  return domain.endsWith('.') ? domain.slice(0, -1) : domain;
}

/** Classifies one `adomain` entry. Linear in its length; long inputs are rejected before any normalization. */
export function classifyDomain(raw: string, placeholders: ReadonlySet<string>): DomainVerdict {
  // Surrounding whitespace is tolerated, so allow some slack before calling it too long to be a domain.
  if (raw.length > MAX_DOMAIN_LENGTH + 64) return looksLikeUrl(raw) ? 'url' : 'malformed';
  const domain = normalizeDomain(raw);
  if (isPlaceholder(domain, placeholders)) return 'placeholder';
  if (looksLikeUrl(domain)) return 'url';
  return isWellFormedDomain(domain) ? 'ok' : 'malformed';
}

function looksLikeUrl(text: string): boolean {
  return text.includes('/');
}

/** The domain itself, any parent domain of it, or its top-level name is a known placeholder. */
function isPlaceholder(domain: string, placeholders: ReadonlySet<string>): boolean {
  if (placeholders.has(domain)) return true;
  let dot = domain.indexOf('.');
  while (dot !== -1) {
    const parent = domain.slice(dot + 1);
    if (placeholders.has(parent)) return true;
    dot = domain.indexOf('.', dot + 1);
  }
  const lastDot = domain.lastIndexOf('.');
  return RESERVED_TLDS.has(lastDot === -1 ? domain : domain.slice(lastDot + 1));
}

/** A bare, lower-case host name (see {@link adomainVerify} for the rules). */
export function isWellFormedDomain(domain: string): boolean {
  if (domain.length === 0 || domain.length > MAX_DOMAIN_LENGTH) return false;
  let labels = 0;
  let start = 0;
  for (let i = 0; i <= domain.length; i++) {
    if (i < domain.length && domain.charCodeAt(i) !== 0x2e /* . */) continue;
    if (!isLdhLabel(domain, start, i)) return false;
    labels++;
    start = i + 1;
  }
  if (labels < 2) return false;
  const tldStart = domain.lastIndexOf('.') + 1;
  return isTopLevelLabel(domain.slice(tldStart));
}

/** Letters, digits and hyphens, 1–63 long, no hyphen at either end (RFC 1035 / RFC 5891 host label). */
function isLdhLabel(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length < 1 || length > MAX_LABEL_LENGTH) return false;
  if (text.charCodeAt(start) === 0x2d || text.charCodeAt(end - 1) === 0x2d) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const isLetter = c >= 0x61 && c <= 0x7a;
    const isDigit = c >= 0x30 && c <= 0x39;
    if (!isLetter && !isDigit && c !== 0x2d) return false;
  }
  return true;
}

/** Real top-level domains are alphabetic, or punycode for internationalized ones; never all digits. */
function isTopLevelLabel(tld: string): boolean {
  if (tld.startsWith('xn--')) return tld.length > 4;
  if (tld.length < 2) return false;
  for (let i = 0; i < tld.length; i++) {
    const c = tld.charCodeAt(i);
    if (c < 0x61 || c > 0x7a) return false;
  }
  return true;
}
