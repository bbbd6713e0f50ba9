/**
 * Batch signing (docs/api.md, Signing request bodies): `X-Pecta-Signature: sha256=<hex>` where the hex is HMAC-SHA256 over the exact body
 * bytes, keyed with the whole `sk_live_` key as UTF-8. WebCrypto only, so it runs in browsers and edge runtimes.
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

export type Signer = (body: Uint8Array<ArrayBuffer>) => Promise<string>;

/** True when this runtime can sign (WebCrypto is missing in insecure browser contexts, for one). */
export function canSign(): boolean {
  return typeof globalThis.crypto === 'object' && typeof globalThis.crypto?.subtle?.importKey === 'function';
}

/** A signer returning the full header value; the key is imported once, on first use. */
export function createSigner(secretKey: string): Signer {
  let key: Promise<CryptoKey> | undefined;
  return async (body) => {
    key ??= crypto.subtle.importKey('raw', new TextEncoder().encode(secretKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const digest = await crypto.subtle.sign('HMAC', await key, body);
    return `sha256=${toHex(new Uint8Array(digest))}`;
  };
}
