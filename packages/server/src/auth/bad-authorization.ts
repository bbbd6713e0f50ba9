/** Why an Authorization header was refused, worded to help fix it. */
import { KEY_PREFIXES, MAX_AUTHORIZATION_LENGTH } from './keys.js';

const SEND = 'send "Authorization: Bearer <key>"';
const KEY_SHAPE = 'pk_live_ or sk_live_ followed by 32 letters and digits';

/**
 * What is wrong with an Authorization header that parseBearer refused, in words that help fix it. Never quotes the
 * header: whatever was sent may be a key, or part of one.
 */
export function describeBadAuthorization(header: string | undefined): string {
  if (header === undefined) return `missing Authorization header: ${SEND}`;
  const value = header.trim();
  if (value.length === 0) return `the Authorization header is empty: ${SEND}`;
  if (header.length > MAX_AUTHORIZATION_LENGTH) return `the Authorization header is longer than ${MAX_AUTHORIZATION_LENGTH} characters; "Bearer <key>" is 47`;
  const blank = value.search(/[ \t]/);
  const scheme = blank === -1 ? value : value.slice(0, blank);
  const credential = blank === -1 ? '' : value.slice(blank).trim();
  if (scheme.toLowerCase() !== 'bearer') {
    if (/^bearer/i.test(scheme)) return `the Authorization header has no space between "Bearer" and the key: ${SEND}`;
    if (blank === -1) {
      const looksLikeKey = Object.values(KEY_PREFIXES).some((prefix) => value.startsWith(prefix));
      return looksLikeKey
        ? `the Authorization header holds a bare key without the "Bearer " scheme: ${SEND}`
        : `the Authorization header has no scheme, only a credential: ${SEND}`;
    }
    return `the Authorization header uses a scheme other than Bearer: ${SEND}`;
  }
  if (credential.length === 0) return `the Authorization header says "Bearer" but no key follows it: ${SEND}`;
  if (/[ \t]/.test(credential)) return `the Bearer credential contains a space; send exactly one key (${KEY_SHAPE})`;
  const prefix = Object.values(KEY_PREFIXES).find((p) => credential.startsWith(p));
  if (prefix === undefined) return `the API key does not start with pk_live_ or sk_live_ (a key is ${KEY_SHAPE})`;
  const rest = credential.slice(prefix.length);
  if (rest.length !== 32) return `the API key has ${rest.length} characters after ${prefix}, not 32 (a key is ${KEY_SHAPE})`;
  return `the API key has characters other than letters and digits after ${prefix} (a key is ${KEY_SHAPE})`;
}
