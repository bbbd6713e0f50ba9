/**
 * Encryption at rest for secret keys (docs/api.md, Signing request bodies: they must stay recoverable to verify HMAC signatures) and the master
 * key it derives from. Sealed format: `v1.` + base64url(iv[12] | tag[16] | ciphertext), AES-256-GCM.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const MASTER_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION_PREFIX = 'v1.';
// Domain separation: the master key may later key other things; this box only ever sees a derived key.
const HKDF_INFO = 'pecta/secretbox/v1';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export class SecretBox {
  readonly #key: Buffer;

  constructor(masterKey: Uint8Array) {
    if (!(masterKey instanceof Uint8Array) || masterKey.length !== MASTER_KEY_BYTES) {
      throw new TypeError(`master key must be ${MASTER_KEY_BYTES} bytes`);
    }
    this.#key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), HKDF_INFO, MASTER_KEY_BYTES));
  }

  /**
   * Encrypts `plaintext` under a fresh random IV. `associatedData` (e.g. the key record's id) is authenticated but not
   * stored: `open` must be given the same value, so a sealed value copied to another record does not open there.
   */
  seal(plaintext: string, associatedData?: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return VERSION_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  }

  /** Decrypts a value from `seal`; throws on an unknown version, a malformed value, tampering or the wrong key. */
  open(sealed: string, associatedData?: string): string {
    if (typeof sealed !== 'string' || !sealed.startsWith(VERSION_PREFIX)) {
      throw new Error('sealed value has an unknown version');
    }
    const body = sealed.slice(VERSION_PREFIX.length);
    // Buffer's base64url decoder skips invalid characters silently, so the alphabet is checked first.
    if (!BASE64URL.test(body)) throw new Error('sealed value is malformed');
    const bytes = Buffer.from(body, 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value is malformed');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('sealed value failed authentication (tampered, or sealed under another master key)');
    }
  }
}

export type MasterKeySource = 'env' | 'file' | 'created';

export interface LoadMasterKeyOptions {
  dataDir: string;
  env?: Readonly<Record<string, string | undefined>>;
}

export const MASTER_KEY_ENV = 'PECTA_MASTER_KEY';
export const MASTER_KEY_FILE = 'master.key';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=?$/;
const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}=?$/;

/**
 * 64 hex characters, or base64 / base64url of exactly 32 bytes; null otherwise. Base64 must be canonical (re-encodes
 * to itself), so a mistyped final character is reported instead of silently decoding to the same key.
 */
export function parseMasterKey(text: string): Buffer | null {
  if (HEX_KEY.test(text)) return Buffer.from(text, 'hex');
  const encoding = BASE64_KEY.test(text) ? 'base64' : BASE64URL_KEY.test(text) ? 'base64url' : null;
  if (encoding === null) return null;
  const key = Buffer.from(text, encoding);
  const unpadded = text.endsWith('=') ? text.slice(0, -1) : text;
  if (key.length !== MASTER_KEY_BYTES || key.toString(encoding).replace(/=$/, '') !== unpadded) return null;
  return key;
}

const FORMAT_HINT = `64 hex characters or base64 of ${MASTER_KEY_BYTES} bytes (generate one with: openssl rand -hex 32)`;

/**
 * The master key, from `PECTA_MASTER_KEY` when set (an empty value counts as unset, as container environments pass
 * unset variables through empty), else from `<dataDir>/master.key`, which is created (32 random bytes as hex, mode
 * 0600) on first start. Errors never include the key material.
 */
export function loadMasterKey(options: LoadMasterKeyOptions): { key: Buffer; source: MasterKeySource } {
  const env = options.env ?? process.env;
  const fromEnv = env[MASTER_KEY_ENV]?.trim();
  if (fromEnv) {
    const key = parseMasterKey(fromEnv);
    if (key === null) {
      throw new Error(`${MASTER_KEY_ENV} is invalid: expected ${FORMAT_HINT}; got ${fromEnv.length} characters`);
    }
    return { key, source: 'env' };
  }

  const path = join(options.dataDir, MASTER_KEY_FILE);
  const existing = readKeyFile(path);
  if (existing !== null) return { key: existing, source: 'file' };

  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const created = randomBytes(MASTER_KEY_BYTES);
  if (createExclusive(path, `${created.toString('hex')}\n`)) return { key: created, source: 'created' };
  // Another process created it between our read and our create: use theirs, or secrets would be sealed twice.
  const raced = readKeyFile(path);
  if (raced === null) throw new Error(`master key file ${path} vanished while starting`);
  return { key: raced, source: 'file' };
}

function readKeyFile(path: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const key = parseMasterKey(text.trim());
  if (key === null) throw new Error(`master key file ${path} is invalid: expected ${FORMAT_HINT}`);
  return key;
}

/**
 * Writes `content` to `path` only if nothing is there, without ever exposing a partial file: the content goes to a
 * private temporary file first, which is then hard-linked into place (link fails if the target exists). Returns
 * false when the target already existed.
 */
function createExclusive(path: string, content: string): boolean {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600); // the umask may have stripped bits; make the mode exact
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'ENOSYS') {
      // File systems without hard links: exclusive create, accepting a tiny window where a reader sees a short file.
      return writeExclusive(path, content);
    }
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function writeExclusive(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}
