/**
 * Who is calling: Bearer key → organisation, checked on every /v1 request before its body is read. Also the
 * per-organisation rate limit (it needs the organisation) and the HMAC check of signed bodies.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import type { InvalidationPublisher } from '../invalidation/index.js';
import type { RateLimiter } from '../ratelimit/index.js';
import type { KeyRecord, KeyType, Organization, Store } from '../store/types.js';
import type { SecretBox } from './crypto.js';
import { SIGNATURE_HEADER, verifyBodySignature } from './hmac.js';
import { hashKey, KEY_PREFIXES, MAX_AUTHORIZATION_LENGTH, parseBearer } from './keys.js';

export interface AuthContext {
  orgId: string;
  keyId: string;
  keyType: KeyType;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext;
  }
  interface FastifyContextConfig {
    /** Secret keys only (key management). */
    admin?: boolean;
    /** Which rate-limit bucket the route counts against. */
    rateBucket?: 'ingest' | 'default';
    /** Unsigned requests are refused when the organisation sets require_signed_ingest. */
    signedIngest?: boolean;
  }
}

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

export interface AuthOptions {
  store: Store;
  limiter: RateLimiter;
  box: SecretBox;
  ingestRateLimit: number;
  defaultRateLimit: number;
  now?: () => number;
  /** How long key records, organisation settings and HMAC secrets are cached; defaults to AUTH_CACHE_MS. */
  cacheMs?: number;
  /** Tells the other instances what changed; without it only this instance's caches are dropped at once. */
  bus?: InvalidationPublisher;
  /** A change committed but not announced to the other instances: they apply it within the cache time. */
  onPublishError?: (error: Error) => void;
}

/**
 * The bound on how long a change made by another process (another instance, the CLI) may go unseen here when its
 * invalidation message is lost or Redis is not configured. Organisation settings change rarely, so a short cache keeps
 * a store round trip off every request; decrypted HMAC secrets are short-lived so that revocation takes effect within
 * seconds.
 *
 * Key records by hash have the same bound. A lookup right after a commit costs a fresh read transaction, because the
 * commit invalidated the page cache: at evaluate's rates, with the writer committing hundreds of times a second, that
 * was a large share of the HTTP thread (docs/architecture.md, "The path of a request", has the numbers). A revocation
 * through any instance's API, or through the CLI with Redis configured, drops the organisation's entries at once
 * (see invalidation/). Unknown keys are never cached, so guessing fills nothing.
 */
export const AUTH_CACHE_MS = 2000;
const MAX_CACHED_KEYS = 10_000;
/** last_used_at is written in batches, not per request. */
const TOUCH_FLUSH_MS = 5000;

export class Authenticator {
  private readonly keyCache = new Map<string, { record: KeyRecord; until: number }>();
  private readonly orgCache = new Map<string, { org: Organization | null; until: number }>();
  private readonly secretCache = new Map<string, { secrets: string[]; until: number }>();
  private readonly uses = new Map<string, number>();
  private touchTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly cacheMs: number;

  constructor(private readonly options: AuthOptions) {
    this.now = options.now ?? Date.now;
    this.cacheMs = options.cacheMs ?? AUTH_CACHE_MS;
  }

  /** onRequest hook for every /v1 route. */
  readonly onRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const parsed = parseBearer(request.headers.authorization);
    if (!parsed.ok) throw new ApiError(parsed.code, describeBadAuthorization(request.headers.authorization));
    const record = await this.findKey(hashKey(parsed.key));
    if (!record) throw new ApiError('auth_invalid', 'API key not recognised');
    if (record.revoked_at !== null) throw new ApiError('auth_revoked', 'API key has been revoked');
    request.auth = { orgId: record.org_id, keyId: record.id, keyType: record.type };
    this.noteUse(record.id);

    const config = request.routeOptions.config;
    const bucket = config.rateBucket ?? 'default';
    const org = await this.organization(record.org_id);
    const limit =
      bucket === 'ingest'
        ? org?.ingest_limit ?? this.options.ingestRateLimit
        : org?.default_limit ?? this.options.defaultRateLimit;
    const decision = await this.options.limiter.consume(`${record.org_id}:${bucket}`, limit, this.now());
    reply.header('X-RateLimit-Limit', String(decision.limit));
    reply.header('X-RateLimit-Remaining', String(decision.remaining));
    if (!decision.allowed) {
      throw new ApiError('rate_limited', 'rate limit exceeded', { 'Retry-After': String(decision.retryAfterSeconds) });
    }
    if (config.admin && record.type !== 'secret') {
      throw new ApiError('forbidden', 'this route needs a secret (sk_live_) key');
    }
    // Here rather than in verifySignature: the body parser never runs for a request without a body, and an unsigned
    // request should not cost reading its body at all. A present header is verified there, as for every route.
    if (config.signedIngest && org?.require_signed_ingest && request.headers[SIGNATURE_HEADER] === undefined) {
      throw new ApiError(
        'signature_required',
        'this organisation requires signed ingest: send X-Pecta-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with a secret key>',
      );
    }
  };

  /** Called by the body parser with the raw bytes, before they are parsed. */
  async verifySignature(request: FastifyRequest, raw: Buffer): Promise<void> {
    const header = request.headers['x-pecta-signature'];
    if (header === undefined) return;
    const auth = request.auth;
    if (!auth) throw new ApiError('auth_missing', describeBadAuthorization(undefined));
    const secrets = await this.secretsOf(auth.orgId);
    if (secrets.length === 0) {
      throw new ApiError('hmac_no_secret', 'a signature was sent but the organisation has no active secret key');
    }
    const value = Array.isArray(header) ? header.join(',') : header;
    if (verifyBodySignature(raw, value, secrets) !== 'valid') {
      throw new ApiError('hmac_invalid', 'X-Pecta-Signature does not match the body (expected sha256=<hex HMAC-SHA256 of the raw body>)');
    }
  }

  /**
   * After this instance committed a change to the organisation's keys, limits or settings: forget it here, and tell
   * the other instances. Never fails the request: the change is committed, and the cache time bounds the rest.
   */
  async changed(orgId: string): Promise<void> {
    this.invalidate(orgId);
    if (!this.options.bus) return;
    try {
      await this.options.bus.publish({ org: orgId });
    } catch (error) {
      this.options.onPublishError?.(error as Error);
    }
  }

  /** Forget cached organisation data (its keys, limits, settings and secrets). */
  invalidate(orgId: string): void {
    this.orgCache.delete(orgId);
    this.secretCache.delete(orgId);
    for (const [hash, entry] of this.keyCache) if (entry.record.org_id === orgId) this.keyCache.delete(hash);
  }

  /** Forget everything cached, when invalidation messages may have been missed. */
  invalidateAll(): void {
    this.orgCache.clear();
    this.secretCache.clear();
    this.keyCache.clear();
  }

  private async findKey(hash: string): Promise<KeyRecord | null> {
    const now = this.now();
    const hit = this.keyCache.get(hash);
    if (hit && hit.until > now) return hit.record;
    const record = await this.options.store.findKeyByHash(hash);
    this.keyCache.delete(hash);
    if (record) {
      // Oldest first in insertion order: when full, drop the entry that would expire soonest.
      if (this.keyCache.size >= MAX_CACHED_KEYS) this.keyCache.delete(this.keyCache.keys().next().value!);
      this.keyCache.set(hash, { record, until: now + this.cacheMs });
    }
    return record;
  }

  async close(): Promise<void> {
    clearTimeout(this.touchTimer);
    this.touchTimer = undefined;
    await this.flushUses();
  }

  private async organization(orgId: string): Promise<Organization | null> {
    const now = this.now();
    const hit = this.orgCache.get(orgId);
    if (hit && hit.until > now) return hit.org;
    const org = await this.options.store.getOrganization(orgId);
    this.orgCache.set(orgId, { org, until: now + this.cacheMs });
    return org;
  }

  private async secretsOf(orgId: string): Promise<string[]> {
    const now = this.now();
    const hit = this.secretCache.get(orgId);
    if (hit && hit.until > now) return hit.secrets;
    const records = await this.options.store.listActiveSecretKeys(orgId);
    const secrets: string[] = [];
    for (const r of records) {
      if (!r.secret_ciphertext) continue;
      // A key sealed under another master key cannot verify anything; the server refuses to start in that state
      // (see server.ts), and a key sealed by another process meanwhile must not turn signed requests into 500s.
      try {
        secrets.push(this.options.box.open(r.secret_ciphertext, r.id));
      } catch {
        continue;
      }
    }
    this.secretCache.set(orgId, { secrets, until: now + this.cacheMs });
    return secrets;
  }

  private noteUse(keyId: string): void {
    this.uses.set(keyId, this.now());
    if (this.touchTimer === undefined) {
      this.touchTimer = setTimeout(() => {
        this.touchTimer = undefined;
        void this.flushUses();
      }, TOUCH_FLUSH_MS);
      this.touchTimer.unref();
    }
  }

  private async flushUses(): Promise<void> {
    if (this.uses.size === 0) return;
    const batch = new Map(this.uses);
    this.uses.clear();
    try {
      await this.options.store.touchKeys(batch);
    } catch {
      // Usage stamps are advisory; losing one batch must never fail a request.
    }
  }
}
