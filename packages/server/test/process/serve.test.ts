import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sparePort } from '../helpers/redis.js';
import { runCli, startServerProcess } from '../helpers/spawn.js';

const RUN_CLI = fileURLToPath(new URL('../helpers/run-cli.ts', import.meta.url));

describe('pecta serve', () => {
  it('bootstraps once, prints keys once, serves them, and drains in-flight requests on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pecta-serve-'));
    try {
      const server = await startServerProcess(dir);
      assert.match(server.pk!, /^pk_live_[A-Za-z0-9]{32}$/);
      assert.match(server.sk!, /^sk_live_[A-Za-z0-9]{32}$/);
      assert.equal(statSync(join(dir, 'master.key')).mode & 0o777, 0o600);
      const health = await fetch(`${server.url}/health`);
      assert.equal(health.status, 200);

      const auth = { authorization: `Bearer ${server.pk}`, 'content-type': 'application/json' };
      // Start a burst of writes, signal while they are in flight: every one must complete.
      const inflight = Array.from({ length: 40 }, (_, i) =>
        fetch(`${server.url}/v1/ingest`, { method: 'POST', headers: auth, body: JSON.stringify({ events: [{ agent_id: 'drain', passed: true, event_id: `d${i}` }] }) }).then(
          (r) => r.status,
          () => 'connection refused',
        ),
      );
      await new Promise((r) => setTimeout(r, 5));
      server.child.kill('SIGTERM');
      const statuses = await Promise.all(inflight);
      const exit = await server.exited;
      assert.equal(exit.code, 0, server.output());
      assert.match(server.output(), /draining/);
      const acked = statuses.filter((s) => s === 202).length;
      assert.ok(statuses.every((s) => s === 202 || s === 503 || s === 'connection refused'), JSON.stringify(statuses));

      const again = await startServerProcess(dir);
      try {
        assert.equal(again.pk, undefined, 'keys are printed on the first start only');
        assert.doesNotMatch(again.output(), /sk_live_/);
        const rep = (await (await fetch(`${again.url}/v1/reputation/drain`, { headers: auth })).json()) as { evaluations: number };
        assert.equal(rep.evaluations, acked, 'every acknowledged write is in the store after a graceful stop');
      } finally {
        again.child.kill('SIGINT');
        assert.equal((await again.exited).code, 0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start when the master key cannot open the stored secret keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pecta-master-'));
    try {
      const org = await runCli(['orgs', 'create', '--name', 'Sealed', '--data-dir', dir], { PECTA_MASTER_KEY: '' });
      assert.equal(org.code, 0, org.stderr);
      const other = 'ab'.repeat(32);
      const r = await runCli(['serve', '--port', '0', '--data-dir', dir], { PECTA_MASTER_KEY: other });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /cannot be decrypted with this master key/);
      const create = await runCli(['keys', 'create', '--type', 'secret', '--data-dir', dir], { PECTA_MASTER_KEY: other });
      assert.equal(create.code, 1);
      // Revoking needs no decryption, so it is the way out.
      const list = await runCli(['keys', 'list', '--data-dir', dir], { PECTA_MASTER_KEY: other });
      assert.equal(list.code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad configuration with a message naming the setting and exit code 2', async () => {
    const r = await runCli(['serve', '--port', 'eighty']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--port must be a whole number/);
    const e = await runCli(['serve', '--port', '0'], { PECTA_RATE_LIMIT: '-4' });
    assert.equal(e.code, 2);
    assert.match(e.stderr, /PECTA_RATE_LIMIT/);
    const u = await runCli(['serve', '--no-such-flag']);
    assert.equal(u.code, 2);
  });

  it('with PECTA_DATABASE_URL: exits 3 when PostgreSQL cannot be reached, 2 without a shared master key, and never falls back to SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pecta-backend-'));
    try {
      const port = await sparePort();
      const url = `postgres://pecta:hunter2@127.0.0.1:${port}/pecta`;
      const down = await serveUnlessListening(['--port', '0', '--data-dir', dir], { PECTA_DATABASE_URL: url, PECTA_MASTER_KEY: 'a'.repeat(64) });
      assert.equal(down.listening, false, `the server started anyway:\n${down.stdout}${down.stderr}`);
      assert.equal(down.code, 3, down.stdout + down.stderr);
      assert.match(down.stderr, /^pecta: PostgreSQL is unavailable: .*start PostgreSQL or fix --database-url\/PECTA_DATABASE_URL/);
      assert.doesNotMatch(down.stderr, /hunter2/, 'the password is not printed');
      assert.doesNotMatch(down.stdout, /listening|pk_live_/);
      assert.deepEqual(readdirSync(dir), [], 'no SQLite store was created');

      const keyless = await serveUnlessListening(['--port', '0', '--data-dir', dir], { PECTA_DATABASE_URL: url, PECTA_MASTER_KEY: '' });
      assert.equal(keyless.code, 2, keyless.stdout + keyless.stderr);
      assert.match(keyless.stderr, /PECTA_MASTER_KEY must be set with a PostgreSQL store/);
      assert.deepEqual(readdirSync(dir), [], 'no master key was generated');

      const wrong = await serveUnlessListening(['--port', '0', '--data-dir', dir], { PECTA_DATABASE_URL: 'mysql://x@y/z' });
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /PECTA_DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL, got a mysql: URL/);
      // Empty counts as unset.
      const orgs = await runCli(['orgs', 'list', '--data-dir', dir], { PECTA_DATABASE_URL: '', PECTA_REDIS_URL: '' });
      assert.equal(orgs.code, 0, orgs.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 3 naming the URL (without its password) when the configured Redis cannot be reached, creating nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pecta-redis-down-'));
    try {
      const port = await sparePort();
      for (const [args, env] of [
        [['--redis-url', `redis://pecta:hunter2@127.0.0.1:${port}/0`], {}],
        [[], { PECTA_REDIS_URL: `redis://pecta:hunter2@127.0.0.1:${port}/0` }],
      ] as const) {
        const r = await serveUnlessListening(['--port', '0', '--data-dir', dir, ...args], env);
        assert.equal(r.listening, false, `the server started anyway:\n${r.stdout}${r.stderr}`);
        assert.equal(r.code, 3, r.stdout + r.stderr);
        assert.match(r.stderr, new RegExp(`^pecta: cannot reach Redis at redis://pecta:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0 \\(connect ECONNREFUSED`));
        assert.match(r.stderr, /unset it to limit per instance/);
        assert.doesNotMatch(r.stdout + r.stderr, /hunter2|listening|pk_live_/);
        assert.deepEqual(readdirSync(dir), [], 'no SQLite store was created');
      }
      const bad = await serveUnlessListening(['--port', '0', '--data-dir', dir], { PECTA_REDIS_URL: 'http://cache.internal:6379' });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /PECTA_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * `pecta serve` that is expected to refuse to start: resolves with its exit code and output, or, when it starts after
 * all (prints its "listening" line), stops it and says so instead of waiting for ever.
 */
function serveUnlessListening(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', RUN_CLI, 'serve', '--log-level', 'warn', ...args], {
    cwd: fileURLToPath(new URL('../../../../', import.meta.url)),
    env: { ...process.env, PECTA_MASTER_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let listening = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!listening && /listening on/.test(stdout)) {
      listening = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string; listening: boolean }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, listening }));
  });
}

describe('pecta keys / orgs', () => {
  it('creates organisations, creates, lists and revokes keys against the data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pecta-cli-'));
    try {
      const none = await runCli(['keys', 'list', '--data-dir', dir]);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /no organisation yet/);

      const org = await runCli(['orgs', 'create', '--name', 'Acme', '--data-dir', dir]);
      assert.equal(org.code, 0, org.stderr);
      const orgId = /organisation (org_\w+)/.exec(org.stdout)![1]!;
      assert.match(org.stdout, /pk_live_[A-Za-z0-9]{32}/);

      const created = await runCli(['keys', 'create', '--type', 'secret', '--label', 'deploy', '--data-dir', dir]);
      assert.equal(created.code, 0, created.stderr);
      const keyId = /^(key_\w+)/.exec(created.stdout)![1]!;
      const plaintext = /(sk_live_[A-Za-z0-9]{32})/.exec(created.stdout)![1]!;

      const list = await runCli(['keys', 'list', '--data-dir', dir]);
      assert.equal(list.code, 0);
      assert.equal(list.stdout.trim().split('\n').length, 3);
      assert.ok(!list.stdout.includes(plaintext), 'list never prints a key');
      assert.match(list.stdout, new RegExp(`${keyId}.*deploy.*active`));

      const revoked = await runCli(['keys', 'revoke', keyId, '--data-dir', dir]);
      assert.equal(revoked.code, 0);
      assert.match((await runCli(['keys', 'list', '--data-dir', dir])).stdout, new RegExp(`${keyId}.*revoked`));

      const second = await runCli(['orgs', 'create', '--name', 'Beta', '--data-dir', dir]);
      assert.equal(second.code, 0);
      const ambiguous = await runCli(['keys', 'list', '--data-dir', dir]);
      assert.equal(ambiguous.code, 2);
      assert.match(ambiguous.stderr, /choose one with --org/);
      assert.equal((await runCli(['keys', 'list', '--org', orgId, '--data-dir', dir])).code, 0);

      const limits = await runCli(['orgs', 'limits', orgId, '--default', '1000', '--data-dir', dir]);
      assert.equal(limits.code, 0, limits.stderr);
      assert.match((await runCli(['orgs', 'list', '--data-dir', dir])).stdout, /other 1000\/min/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('orgs set turns require_signed_ingest on and off, and refuses anything but true or false', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pecta-cli-'));
    try {
      const org = await runCli(['orgs', 'create', '--name', 'Acme', '--data-dir', dir]);
      const orgId = /organisation (org_\w+)/.exec(org.stdout)![1]!;
      const on = await runCli(['orgs', 'set', orgId, '--require-signed-ingest', 'true', '--data-dir', dir]);
      assert.equal(on.code, 0, on.stderr);
      assert.match(on.stdout, /signed ingest required/);
      assert.match((await runCli(['orgs', 'list', '--data-dir', dir])).stdout, new RegExp(`${orgId}.*signed ingest required`));
      const bad = await runCli(['orgs', 'set', orgId, '--require-signed-ingest', 'yes', '--data-dir', dir]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /must be true or false/);
      assert.equal((await runCli(['orgs', 'set', 'org_nope', '--require-signed-ingest', 'true', '--data-dir', dir])).code, 2);
      const off = await runCli(['orgs', 'set', orgId, '--require-signed-ingest', 'false', '--data-dir', dir]);
      assert.equal(off.code, 0, off.stderr);
      assert.doesNotMatch((await runCli(['orgs', 'list', '--data-dir', dir])).stdout, /signed ingest required/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
