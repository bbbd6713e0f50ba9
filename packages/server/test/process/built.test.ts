import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = join(ROOT, 'packages/server/bin/pecta.js');

describe('the compiled `pecta` binary (what `npm start` and `npx pecta` run)', () => {
  it('serves, records through the compiled writer thread, and stops cleanly', async () => {
    assert.ok(existsSync(join(ROOT, 'packages/server/dist/cli.js')), 'packages/server/dist is missing: run `npm run build` (npm test does it first)');
    const dir = mkdtempSync(join(tmpdir(), 'pecta-built-'));
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dir, '--log-level', 'warn'], {
      cwd: ROOT,
      env: { ...process.env, PECTA_MASTER_KEY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start:\n${out}`)), 30_000);
        child.stdout.on('data', (d) => {
          out += d;
          if (/listening on/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.stderr.on('data', (d) => (out += d));
      });
      const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
      const pk = /publishable\s+(pk_live_\w{32})/.exec(out)![1]!;
      assert.match(out, /Dashboard: http/);
      const headers = { authorization: `Bearer ${pk}`, 'content-type': 'application/json' };
      const ingest = await fetch(`${url}/v1/ingest`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ events: [{ agent_id: 'built', passed: true, latency_ms: 20 }, { agent_id: 'built', passed: false, latency_ms: 40 }] }),
      });
      assert.equal(ingest.status, 202);
      const rep = (await (await fetch(`${url}/v1/reputation/built`, { headers })).json()) as { evaluations: number; avg_latency_ms: number };
      assert.equal(rep.evaluations, 2);
      assert.equal(rep.avg_latency_ms, 30);
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, out);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
