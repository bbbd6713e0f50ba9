/**
 * API keys and ids (docs/api.md, Authentication). The key format is the wire contract's (`@pecta/core/wire`): a
 * prefix + 32 characters of [A-Za-z0-9] (≈190 bits); only its SHA-256 is stored for lookup, and only a hint (prefix +
 * first 4 + last 4) is ever shown again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isApiKey, KEY_PATTERN, KEY_PREFIXES, KEY_RANDOM_LENGTH, keyTypeOf, type KeyType } from '@pecta/core/wire';

export { isApiKey, KEY_PATTERN, KEY_PREFIXES, keyTypeOf, type KeyType };

const PREFIX_LENGTH = KEY_PREFIXES.publishable.length;

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// Crockford base32 (no I, L, O, U), as in @pecta/core's ids: unambiguous when read aloud or copied by hand.
const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ID_RANDOM_LENGTH = 20;

/**
 * `length` characters drawn uniformly from `alphabet` (at most 256 symbols). Bytes at or above the largest multiple of
 * the alphabet size are rejected rather than folded with `%`, which would favour the first symbols.
 */
export function randomString(length: number, alphabet: string): string {
  const size = alphabet.length;
  if (size < 2 || size > 256) throw new RangeError('alphabet must have 2 to 256 symbols');
  const acceptBelow = 256 - (256 % size);
  let out = '';
  while (out.length < length) {
    // Over-draw so one call to the CSPRNG almost always suffices (62 symbols reject 8/256 of bytes).
    const bytes = randomBytes(length - out.length + 16);
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const byte = bytes[i]!;
      if (byte < acceptBelow) out += alphabet[byte % size];
    }
  }
  return out;
}

export function generateKey(type: KeyType): string {
  const prefix = KEY_PREFIXES[type];
  if (prefix === undefined) throw new TypeError(`unknown key type: ${String(type)}`);
  return prefix + randomString(KEY_RANDOM_LENGTH, BASE62);
}

/** Hex SHA-256 of the whole key: the lookup handle the store keeps instead of the key. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * A recognisable hint such as `sk_live_Ab3x…9QzT`: 8 of the 32 random characters (≈48 bits) are revealed, leaving
 * ≈143 bits unknown. Throws for anything that is not a key, so a mistake can never echo arbitrary input.
 */
export function keyHint(key: string): string {
  if (!isApiKey(key)) throw new TypeError('not an API key');
  return `${key.slice(0, PREFIX_LENGTH + 4)}…${key.slice(-4)}`;
}

/** A key record's public id: `key_` + 20 Crockford base32 characters (100 random bits). */
export function newKeyId(): string {
  return `key_${randomString(ID_RANDOM_LENGTH, BASE32)}`;
}

/** An organisation id: `org_` + 20 Crockford base32 characters (100 random bits). */
export function newOrgId(): string {
  return `org_${randomString(ID_RANDOM_LENGTH, BASE32)}`;
}

export type BearerResult = { ok: true; key: string } | { ok: false; code: 'auth_missing' | 'auth_format' };

const AUTH_MISSING: BearerResult = Object.freeze({ ok: false, code: 'auth_missing' });
const AUTH_FORMAT: BearerResult = Object.freeze({ ok: false, code: 'auth_format' });

// A valid header is `Bearer ` + 40 characters; this leaves generous room for whitespace and costs nothing to check.
export const MAX_AUTHORIZATION_LENGTH = 256;

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** Index just past `Bearer` + at least one blank at or after `from` (case-insensitive), or -1. */
function bearerTokenStart(header: string, from: number): number {
  let i = from;
  while (i < header.length && isBlank(header.charCodeAt(i))) i++;
  if (header.slice(i, i + 6).toLowerCase() !== 'bearer') return -1;
  i += 6;
  if (i >= header.length || !isBlank(header.charCodeAt(i))) return -1;
  return i + 1;
}

/**
 * Reads an `Authorization` header value. No header, another scheme, or `Bearer` with nothing after it is
 * `auth_missing`; a Bearer credential that is not a well-formed key is `auth_format`. The scheme is case-insensitive
 * and blanks around the header and between scheme and key are tolerated.
 */
export function parseBearer(header: string | undefined): BearerResult {
  if (typeof header !== 'string' || header.length === 0) return AUTH_MISSING;
  if (header.length > MAX_AUTHORIZATION_LENGTH) {
    // Decide from the first characters only; no well-formed credential is this long.
    return bearerTokenStart(header.slice(0, 32), 0) === -1 ? AUTH_MISSING : AUTH_FORMAT;
  }
  const start = bearerTokenStart(header, 0);
  if (start === -1) return AUTH_MISSING;
  const token = header.slice(start).trim();
  if (token.length === 0) return AUTH_MISSING;
  return isApiKey(token) ? { ok: true, key: token } : AUTH_FORMAT;
}
