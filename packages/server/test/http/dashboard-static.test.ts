/**
 * How the server serves the built dashboard: SPA fallback on the dashboard's routes only, cache headers, ETags, the
 * build's pre-compressed copies, the page shown when nothing is built, and the bundle's size budget.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { dashboardRoutes, resolveDashboardDist } from '../../src/routes/dashboard.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

const DIST_DIR = resolveDashboardDist()!;

function assertDashboardBuilt(): void {
  if (!existsSync(join(DIST_DIR, 'index.html'))) throw new Error(`the dashboard is not built (${DIST_DIR}): run \`npm run build\``);
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const JS_GZIP_BUDGET = 60 * 1024;

const builtIndex = () => readFileSync(join(DIST_DIR, 'index.html'), 'utf8');
const hashedScript = () => readdirSync(join(DIST_DIR, 'assets')).find((f) => /^index-[\w-]+\.js$/.test(f))!;

describe('serving the built dashboard', () => {
  let t: TestApp;
  before(async () => {
    assertDashboardBuilt();
    t = await makeTestApp();
  });
  after(() => t.close());

  it('finds the build through the @pecta/dashboard package', () => {
    assert.match(DIST_DIR, /dashboard\/dist$/);
  });

  it('answers index.html, revalidated, on / and every client-side route', async () => {
    const index = builtIndex();
    for (const url of ['/', '/agents', '/agents/support-bot', '/agents/a%2Fb%20c', '/events', '/events?agent_id=x&passed=false&page=3', '/settings', '/settings/keys']) {
      const r = await t.app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 200, url);
      assert.equal(r.body, index, url);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8', url);
      assert.equal(r.headers['cache-control'], 'no-cache', url);
      assert.ok(r.headers.etag, url);
      assert.match(String(r.headers['content-security-policy']), /script-src 'self'/);
      assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    }
    assert.match(index, /<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
  });

  it('never answers index.html for the API, health, the OpenAPI document or unknown paths', async () => {
    for (const url of ['/v1', '/v1/nope', '/v1/agents/x/y', '/nope', '/agentsx', '/assets/missing.js', '/assets/', '/index.htm']) {
      const r = await t.app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 404, url);
      assert.equal(r.json().code, 'not_found', url);
    }
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    assert.deepEqual(Object.keys(health.json()), ['status', 'version']);
    const openapi = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    assert.deepEqual(
      Object.keys(openapi.paths).filter((p) => !p.startsWith('/v1/')),
      ['/health'],
      'dashboard routes stay out of the API document',
    );
    assert.equal((await t.call('GET', '/v1/agents', null)).json().code, 'auth_missing', 'the API still needs a key');
  });

  it('serves hashed assets for a year, immutable, as the build pre-compressed them when accepted', async () => {
    const file = hashedScript();
    const raw = readFileSync(join(DIST_DIR, 'assets', file));
    const plain = await t.app.inject({ method: 'GET', url: `/assets/${file}` });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['cache-control'], IMMUTABLE);
    assert.match(String(plain.headers['content-type']), /^(text|application)\/javascript; charset=utf-8$/);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(String(plain.headers.vary).toLowerCase(), 'accept-encoding');
    assert.deepEqual(plain.rawPayload, raw);

    const br = await t.app.inject({ method: 'GET', url: `/assets/${file}`, headers: { 'accept-encoding': 'br, gzip;q=0.8' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers['cache-control'], IMMUTABLE);
    assert.ok(br.rawPayload.length < raw.length / 2, `brotli shrinks the script (${br.rawPayload.length} of ${raw.length} bytes)`);
    assert.deepEqual(brotliDecompressSync(br.rawPayload), raw);

    const gz = await t.app.inject({ method: 'GET', url: `/assets/${file}`, headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.rawPayload), raw);
    assert.notEqual(gz.headers.etag, plain.headers.etag, 'each encoding has its own validator');

    const refused = await t.app.inject({ method: 'GET', url: `/assets/${file}`, headers: { 'accept-encoding': 'gzip;q=0, br;q=0, identity' } });
    assert.equal(refused.headers['content-encoding'], undefined);
    assert.deepEqual(refused.rawPayload, raw);

    for (const copy of [`/assets/${file}.br`, `/assets/${file}.gz`]) {
      assert.equal((await t.app.inject({ method: 'GET', url: copy })).statusCode, 404, `${copy} is not a file of its own`);
    }
    const css = readdirSync(join(DIST_DIR, 'assets')).find((f) => f.endsWith('.css'))!;
    assert.equal((await t.app.inject({ method: 'GET', url: `/assets/${css}` })).headers['content-type'], 'text/css; charset=utf-8');
    const icon = await t.app.inject({ method: 'GET', url: '/favicon.svg' });
    assert.equal(icon.headers['content-type'], 'image/svg+xml');
    assert.equal(icon.headers['cache-control'], 'no-cache', 'unhashed files are revalidated');
  });

  it('answers 304 to a matching If-None-Match, for either encoding, and HEAD without a body', async () => {
    const file = hashedScript();
    const plain = await t.app.inject({ method: 'GET', url: `/assets/${file}` });
    const gz = await t.app.inject({ method: 'GET', url: `/assets/${file}`, headers: { 'accept-encoding': 'gzip' } });
    // A validator names one representation: each encoding revalidates with its own.
    for (const [etag, encoding] of [
      [plain.headers.etag, 'identity'],
      [gz.headers.etag, 'gzip'],
      [`"other", ${gz.headers.etag}`, 'gzip'],
    ] as const) {
      const r = await t.app.inject({ method: 'GET', url: `/assets/${file}`, headers: { 'if-none-match': String(etag), 'accept-encoding': encoding } });
      assert.equal(r.statusCode, 304, String(etag));
      assert.equal(r.rawPayload.length, 0);
      assert.equal(r.headers['cache-control'], IMMUTABLE);
    }
    const mismatched = await t.app.inject({ method: 'GET', url: `/assets/${file}`, headers: { 'if-none-match': String(plain.headers.etag), 'accept-encoding': 'gzip' } });
    assert.equal(mismatched.statusCode, 200, 'the identity validator does not stand for the gzip copy');
    const index = await t.app.inject({ method: 'GET', url: '/agents' });
    const again = await t.app.inject({ method: 'GET', url: '/events', headers: { 'if-none-match': String(index.headers.etag) } });
    assert.equal(again.statusCode, 304, 'every client-side route is the same index.html');
    const stale = await t.app.inject({ method: 'GET', url: '/', headers: { 'if-none-match': '"stale"' } });
    assert.equal(stale.statusCode, 200);

    const head = await t.app.inject({ method: 'HEAD', url: '/agents' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['cache-control'], 'no-cache');
  });

  it('keeps the gzipped JavaScript under its 60 KB budget', () => {
    const scripts = readdirSync(join(DIST_DIR, 'assets')).filter((f) => f.endsWith('.js'));
    assert.ok(scripts.length >= 2, 'the chart library is split from the main bundle');
    const gzipped = scripts.reduce((n, f) => n + gzipSync(readFileSync(join(DIST_DIR, 'assets', f)), { level: 9 }).length, 0);
    assert.ok(gzipped < JS_GZIP_BUDGET, `gzipped JavaScript is ${gzipped} bytes`);
    const main = gzipSync(readFileSync(join(DIST_DIR, 'assets', hashedScript())), { level: 9 }).length;
    assert.ok(main < 25 * 1024, `the first page load needs only the main chunk: ${main} bytes gzipped`);
  });
});

describe('without a built dashboard', () => {
  it('answers a page that says how to build it, and nothing else changes', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pecta-nodist-'));
    try {
      for (const distDir of [null, empty, join(empty, 'missing')]) {
        const app = Fastify();
        app.setNotFoundHandler((_request, reply) => void reply.code(404).send({ code: 'not_found' }));
        await app.register(dashboardRoutes({ distDir }));
        for (const url of ['/', '/agents', '/settings/keys']) {
          const r = await app.inject({ method: 'GET', url });
          assert.equal(r.statusCode, 200, url);
          assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
          assert.equal(r.headers['cache-control'], 'no-cache', 'once built, the real page replaces it');
          assert.match(r.body, /dashboard is not built/);
          assert.match(r.body, /npm run build/);
        }
        assert.equal((await app.inject({ method: 'GET', url: '/assets/index-abc.js' })).statusCode, 404);
        await app.close();
      }
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
