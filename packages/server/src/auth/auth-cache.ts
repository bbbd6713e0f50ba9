/**
 * What the auth plugins read from the store on every /v1 request — key records by hash, organisation settings and
 * decrypted HMAC secrets — kept for a short time, and dropped when this or another instance changes them.
 */
import { LRUCache } from 'lru-cache';
import type { InvalidationPublisher } from '../invalidation/index.js';
import type { KeyRecord, Organization, Store } from '../store/types.js';
import type { SecretBox } from './crypto.js';

export interface AuthCacheOptions {
  store: Store;
  box: SecretBox;
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
/** Entries per cache; past it the least recently used go first. */
const MAX_CACHED = 10_000;

/** An organisation that does not exist is remembered too, so that its keys' requests do not each ask the store. */
type CachedOrganization = { org: Organization | null };

export class AuthCache {
  private readonly keyCache: LRUCache<string, KeyRecord>;
  private readonly orgCache: LRUCache<string, CachedOrganization>;
  private readonly secretCache: LRUCache<string, string[]>;

  constructor(private readonly options: AuthCacheOptions) {
    const now = options.now ?? Date.now;
    // ttlResolution 0: read the clock on every lookup (the injectable one included), so an entry never outlives its time.
    const settings = { max: MAX_CACHED, ttl: options.cacheMs ?? AUTH_CACHE_MS, ttlResolution: 0, perf: { now } };
    this.keyCache = new LRUCache(settings);
    this.orgCache = new LRUCache(settings);
    this.secretCache = new LRUCache(settings);
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
    const stale: string[] = [];
    for (const [hash, record] of this.keyCache.entries()) if (record.org_id === orgId) stale.push(hash);
    for (const hash of stale) this.keyCache.delete(hash);
  }

  /** Forget everything cached, when invalidation messages may have been missed. */
  invalidateAll(): void {
    this.orgCache.clear();
    this.secretCache.clear();
    this.keyCache.clear();
  }

  async findKey(hash: string): Promise<KeyRecord | null> {
    const hit = this.keyCache.get(hash);
    if (hit) return hit;
    const record = await this.options.store.findKeyByHash(hash);
    if (record) this.keyCache.set(hash, record);
    return record;
  }

  async organization(orgId: string): Promise<Organization | null> {
    const hit = this.orgCache.get(orgId);
    if (hit) return hit.org;
    const org = await this.options.store.getOrganization(orgId);
    this.orgCache.set(orgId, { org });
    return org;
  }

  async secretsOf(orgId: string): Promise<string[]> {
    const hit = this.secretCache.get(orgId);
    if (hit) return hit;
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
    this.secretCache.set(orgId, secrets);
    return secrets;
  }
}
