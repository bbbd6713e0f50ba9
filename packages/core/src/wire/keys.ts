/**
 * The API key format: `pk_live_` (publishable) or `sk_live_` (secret) followed by 32 letters and digits. The server
 * issues and checks keys with it; clients use it to refuse a malformed key before sending anything.
 */

export type KeyType = 'publishable' | 'secret';

export const KEY_PREFIXES = { publishable: 'pk_live_', secret: 'sk_live_' } as const satisfies Record<KeyType, string>;
/** Characters after the prefix, drawn from [A-Za-z0-9]. */
export const KEY_RANDOM_LENGTH = 32;
export const KEY_LENGTH = KEY_PREFIXES.publishable.length + KEY_RANDOM_LENGTH;

/** Anchored with a fixed-width body, so it fails within 40 characters on any input. */
export const KEY_PATTERN = /^(?:pk|sk)_live_[A-Za-z0-9]{32}$/;

export function isApiKey(value: unknown): value is string {
  return typeof value === 'string' && value.length === KEY_LENGTH && KEY_PATTERN.test(value);
}

/** The type of a well-formed key, or null for anything that is not one. */
export function keyTypeOf(value: unknown): KeyType | null {
  if (!isApiKey(value)) return null;
  return value.startsWith(KEY_PREFIXES.secret) ? 'secret' : 'publishable';
}
