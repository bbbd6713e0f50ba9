/**
 * A fastify app with only the auth plugins, the API's error handler and a body parser that checks signatures the way
 * app.ts does, over an in-memory store that counts the reads the plugins make. Routes are added by each test.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { AuthCache } from '../../src/auth/auth-cache.js';
import { SecretBox } from '../../src/auth/crypto.js';
import { generateKey, hashKey, keyHint, newKeyId } from '../../src/auth/keys.js';
import { toErrorBody } from '../../src/errors.js';
import authPlugins from '../../src/plugins/index.js';
import { RollingWindowLimiter } from '../../src/ratelimit/index.js';
import type { KeyRecord, KeyType, Organization, Store } from '../../src/store/types.js';

/** The part of the store the auth plugins use, in memory, with a count of every read; reads return copies, as a real store does. */
export class AuthStore {
  readonly orgs = new Map<string, Organization>();
  readonly keys = new Map<string, KeyRecord>();
  readonly reads = { findKeyByHash: 0, getOrganization: 0, listActiveSecretKeys: 0 };
  readonly touched: Array<ReadonlyMap<string, number>> = [];

  async findKeyByHash(hash: string): Promise<KeyRecord | null> {
    this.reads.findKeyByHash++;
    const found = [...this.keys.values()].find((k) => k.hash === hash);
    return found === undefined ? null : { ...found };
  }
  async getOrganization(orgId: string): Promise<Organization | null> {
    this.reads.getOrganization++;
    const org = this.orgs.get(orgId);
    return org === undefined ? null : { ...org };
  }
  async listActiveSecretKeys(orgId: string): Promise<KeyRecord[]> {
    this.reads.listActiveSecretKeys++;
    return [...this.keys.values()].filter((k) => k.org_id === orgId && k.type === 'secret' && k.revoked_at === null);
  }
  async touchKeys(uses: ReadonlyMap<string, number>): Promise<void> {
    this.touched.push(new Map(uses));
  }
}

export interface PluginApp {
  app: FastifyInstance;
  store: AuthStore;
  cache: AuthCache;
  box: SecretBox;
  org: Organization;
  clock: { now: number };
  /** Issues a key of the organisation and returns it with its record. */
  issue(type: KeyType): { key: string; record: KeyRecord };
}

export interface PluginAppOptions {
  ingestRateLimit?: number;
  defaultRateLimit?: number;
}

export async function pluginApp(options: PluginAppOptions = {}): Promise<PluginApp> {
  const store = new AuthStore();
  const box = new SecretBox(randomBytes(32));
  const clock = { now: Date.now() };
  const now = () => clock.now;
  const org: Organization = { id: 'org_test', name: 'test', created_at: 0, ingest_limit: null, default_limit: null, require_signed_ingest: false };
  store.orgs.set(org.id, org);
  const cache = new AuthCache({ store: store as unknown as Store, box, now });
  const app = Fastify({ logger: false });
  app.setErrorHandler((error, _request, reply) => {
    const { body, headers } = toErrorBody(error);
    void reply.code(body.status).headers(headers).send(body);
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, async (request: FastifyRequest, raw: Buffer) => {
    await app.verifyBodySignature(request, raw);
    return JSON.parse(raw.toString('utf8')) as unknown;
  });
  await app.register(authPlugins, {
    store: store as unknown as Store,
    limiter: new RollingWindowLimiter({ now }),
    cache,
    ingestRateLimit: options.ingestRateLimit ?? 100,
    defaultRateLimit: options.defaultRateLimit ?? 100,
    now,
  });
  const issue = (type: KeyType) => {
    const key = generateKey(type);
    const id = newKeyId();
    const record: KeyRecord = {
      id,
      org_id: org.id,
      type,
      label: null,
      hash: hashKey(key),
      hint: keyHint(key),
      created_at: 0,
      secret_ciphertext: type === 'secret' ? box.seal(key, id) : null,
      last_used_at: null,
      revoked_at: null,
    };
    store.keys.set(id, record);
    return { key, record };
  };
  return { app, store, cache, box, org, clock, issue };
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}
