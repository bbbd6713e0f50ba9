/** A whole app on a fresh embedded store, driven in-process with fastify.inject (no sockets). */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type PectaApp } from '../../src/app.js';
import { SecretBox } from '../../src/auth/crypto.js';
import { DEFAULT_CONFIG, type ServerConfig } from '../../src/config.js';
import { createOrganization, issueKey } from '../../src/orgs.js';
import { RollingWindowLimiter } from '../../src/ratelimit/index.js';
import { SqliteStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';

export interface OrgKeys {
  orgId: string;
  pk: string;
  sk: string;
}

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  box: SecretBox;
  clock: { now: number };
  a: OrgKeys;
  b: OrgKeys;
  dir: string;
  evaluations: PectaApp['evaluations'];
  /** inject with JSON body and a Bearer key. */
  call(method: InjectOptions['method'], url: string, key: string | null, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function makeOrg(store: Store, box: SecretBox, name: string): Promise<OrgKeys> {
  const org = await createOrganization(store, name);
  const pk = await issueKey(store, box, org.id, 'publishable', 'test');
  const sk = await issueKey(store, box, org.id, 'secret', 'test');
  return { orgId: org.id, pk: pk.key, sk: sk.key };
}

export async function makeTestApp(config: Partial<ServerConfig> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'pecta-test-'));
  const store = new SqliteStore({ path: join(dir, 'pecta.db') });
  await store.init();
  const box = new SecretBox(randomBytes(32));
  const clock = { now: Date.now() };
  const now = () => clock.now;
  const fullConfig: ServerConfig = { ...DEFAULT_CONFIG, dataDir: dir, logLevel: 'silent', ...config };
  const { app, evaluations } = await buildApp({ config: fullConfig, store, box, now, limiter: new RollingWindowLimiter({ now }), logger: false });
  await app.ready();
  const a = await makeOrg(store, box, 'org-a');
  const b = await makeOrg(store, box, 'org-b');
  return {
    app,
    store,
    box,
    clock,
    a,
    b,
    dir,
    evaluations,
    call(method, url, key, body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      if (key !== null) h.authorization = `Bearer ${key}`;
      const opts: InjectOptions = { method, url, headers: h };
      if (body !== undefined) {
        opts.payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
        if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
      }
      return app.inject(opts);
    },
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
