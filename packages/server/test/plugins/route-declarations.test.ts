import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { SecretBox } from '../../src/auth/crypto.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { SqliteStore } from '../../src/store/index.js';
import { pluginApp } from './plugin-app.js';

describe('route declarations: every /v1 route says which key it needs', () => {
  it('refuses to start with a /v1 route that declares no auth, naming the route', async () => {
    const { app } = await pluginApp();
    app.get('/v1/declared', { config: { auth: 'publishable' } }, async () => ({ ok: true }));
    const starting = (async () => {
      await app.register(async (scope) => {
        scope.post('/v1/forgotten', async () => ({ ok: true }));
      });
      await app.ready();
    })();
    await assert.rejects(starting, /POST \/v1\/forgotten: every \/v1 route must declare config\.auth/);
    await app.close();
  });

  it('refuses an auth value that is not a key type', async () => {
    const { app } = await pluginApp();
    assert.throws(
      () => app.get('/v1/admin', { config: { auth: 'admin' as never } }, async () => ({})),
      /GET \/v1\/admin: config\.auth must be one of 'publishable', 'secret'/,
    );
    await app.close();
  });

  it('refuses rate-limit or signing options on a route that declares no auth', async () => {
    const { app } = await pluginApp();
    assert.throws(() => app.post('/hooks', { config: { signedIngest: true } }, async () => ({})), /only apply to a route that declares config\.auth/);
    assert.throws(() => app.get('/status', { config: { rateBucket: 'ingest' } }, async () => ({})), /only apply to a route that declares config\.auth/);
    await app.close();
  });

  it('leaves routes outside /v1 without a declaration open, with no caller on the request', async () => {
    const { app } = await pluginApp();
    app.get('/health', async (request) => ({ auth: request.auth }));
    app.get('/v1', { config: { auth: 'publishable' } }, async () => ({}));
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { auth: null });
    assert.equal((await app.inject({ method: 'GET', url: '/v1' })).json().code, 'auth_missing');
    await app.close();
  });

  it('holds in the real app: a /v1 route added without a declaration cannot be registered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pecta-decl-'));
    const store = new SqliteStore({ path: join(dir, 'pecta.db') });
    await store.init();
    try {
      const { app } = await buildApp({ config: { ...DEFAULT_CONFIG, dataDir: dir, logLevel: 'silent' }, store, box: new SecretBox(randomBytes(32)), logger: false });
      assert.throws(() => app.get('/v1/new-thing', async () => ({})), /GET \/v1\/new-thing: every \/v1 route must declare config\.auth/);
      await app.close();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
