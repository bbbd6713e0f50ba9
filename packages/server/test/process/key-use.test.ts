import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, startServerProcess } from '../helpers/spawn.js';

describe("a key's last use", () => {
  it('is recorded from a request and kept across a shutdown, as `pecta keys list` shows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pecta-key-use-'));
    try {
      const server = await startServerProcess(dir);
      const before = Date.now();
      const res = await fetch(`${server.url}/v1/agents`, { headers: { authorization: `Bearer ${server.pk}` } });
      assert.equal(res.status, 200);
      server.child.kill('SIGTERM');
      await server.exited;

      const listed = await runCli(['keys', 'list', '--data-dir', dir]);
      assert.equal(listed.code, 0, listed.stderr);
      const lines = listed.stdout.split('\n');
      const publishable = lines.find((l) => l.includes('publishable'));
      const secret = lines.find((l) => l.includes('secret'));
      const used = /last used (\S+)/.exec(publishable ?? '');
      assert.ok(used, `the publishable key shows a use: ${listed.stdout}`);
      const at = Date.parse(used[1]!);
      assert.ok(at >= before - 1000 && at <= Date.now(), `last used ${used[1]}`);
      assert.match(secret ?? '', /never used/, 'the key that made no request shows none');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
