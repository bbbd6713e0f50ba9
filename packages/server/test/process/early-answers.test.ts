import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../helpers/spawn.js';

/**
 * An answer given before the body was read (413, 401) must reach a client that writes its whole body before it reads:
 * closing the connection under it resets it, and the client sees EPIPE or ECONNRESET instead of the answer. Only a
 * server in another process shows it; in one process the client's writes and the server's reads take turns.
 */
describe('answers given before the request body was read', () => {
  it('reach a client that sends a 5 MB body first, every time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pecta-early-'));
    const server = await startServerProcess(dir);
    try {
      const body = JSON.stringify({ events: [{ agent_id: 'big', passed: true, tool: 'x'.repeat(5 * 1024 * 1024) }] });
      const post = async (key: string) => {
        try {
          const r = await fetch(`${server.url}/v1/ingest`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body,
          });
          return { status: r.status, connection: r.headers.get('connection'), body: (await r.json()) as { code: string; status: number } };
        } catch (error) {
          return { failed: String((error as { cause?: { code?: string } }).cause?.code ?? error) };
        }
      };
      for (let i = 0; i < 8; i++) {
        const r = await post(server.pk!);
        assert.deepEqual(r, { status: 413, connection: 'close', body: { error: 'request body is larger than this route accepts', code: 'payload_too_large', status: 413 } }, `try ${i + 1}`);
      }
      for (let i = 0; i < 4; i++) {
        const r = await post(`pk_live_${'0'.repeat(32)}`);
        assert.equal('failed' in r ? r.failed : r.body.code, 'auth_invalid', `try ${i + 1}`);
      }
      const health = await fetch(`${server.url}/health`);
      assert.equal(health.status, 200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

