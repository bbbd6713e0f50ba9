/**
 * Request signing for ingest (docs/api.md, Signing request bodies): `X-Pecta-Signature: sha256=<hex>`, HMAC-SHA256 over the raw request body
 * keyed with the UTF-8 bytes of a whole `sk_live_…` key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-pecta-signature';

const SIGNATURE_PATTERN = /^sha256=[0-9a-fA-F]{64}$/;
const DIGEST_BYTES = 32;

/** The lowercase hex digest of a `sha256=<64 hex>` header value, or null for anything else. */
export function parseSignatureHeader(value: string | undefined): string | null {
  if (typeof value !== 'string' || value.length !== 71 || !SIGNATURE_PATTERN.test(value)) return null;
  return value.slice(7).toLowerCase();
}

function hmacDigest(rawBody: Uint8Array | string, secret: string): Buffer {
  return createHmac('sha256', secret).update(rawBody).digest();
}

/** The header value a client sends for `rawBody` (exact bytes as transmitted). */
export function signBody(rawBody: Uint8Array | string, secret: string): string {
  return `sha256=${hmacDigest(rawBody, secret).toString('hex')}`;
}

export type SignatureVerdict = 'valid' | 'invalid' | 'malformed';

/**
 * Checks a signature header against every secret. Every secret is computed and compared in constant time, with no
 * early exit, so timing does not reveal which secret matched. (Total time still grows with the number of secrets.)
 * No secrets yields 'invalid'; callers report that case separately (`hmac_no_secret`).
 */
export function verifyBodySignature(
  rawBody: Uint8Array,
  header: string | undefined,
  secrets: readonly string[],
): SignatureVerdict {
  const hex = parseSignatureHeader(header);
  if (hex === null) return 'malformed';
  const provided = Buffer.from(hex, 'hex');
  if (provided.length !== DIGEST_BYTES) return 'malformed';
  let matched = false;
  for (const secret of secrets) {
    // The comparison sits left of `||`, so it runs for every secret even after a match.
    matched = timingSafeEqual(provided, hmacDigest(rawBody, secret)) || matched;
  }
  return matched ? 'valid' : 'invalid';
}
