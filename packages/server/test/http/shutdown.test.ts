import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app.js';
import { SecretBox } from '../../src/auth/crypto.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { SqliteStore } from '../../src/store/index.js';

describe('graceful shutdown over real connections', () => {
  it('ends a kept-alive connection after the answer it was busy with when shutdown began', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pecta-shutdown-'));
    const store = new SqliteStore({ path: join(dir, 'pecta.db') });
    await store.init();
    const { app } = await buildApp({ config: { ...DEFAULT_CONFIG, dataDir: dir, logLevel: 'silent' }, store, box: new SecretBox(randomBytes(32)), logger: false });
    // A request that is still being answered when shutdown begins.
    let received!: () => void;
    const arrived = new Promise<void>((resolve) => (received = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    app.get('/test/slow', async () => {
      received();
      await released;
      return { ok: true };
    });
    // Registered after the app's own preClose hook, so it runs once the app knows it is closing.
    let closingBegan!: () => void;
    const closing = new Promise<void>((resolve) => (closingBegan = resolve));
    app.addHook('preClose', async () => closingBegan());
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const agent = new Agent({ keepAlive: true });
    try {
      const answer = new Promise<{ status: number; connection: string | undefined; socketClosed: Promise<void> }>((resolve, reject) => {
        const req = request(`${address}/test/slow`, { agent }, (res) => {
          res.resume();
          const socketClosed = new Promise<void>((done) => res.socket.once('close', () => done()));
          res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, socketClosed }));
        });
        req.on('error', reject);
        req.end();
      });
      await arrived;
      const closed = app.close();
      await closing;
      release();
      const { status, connection, socketClosed } = await answer;
      assert.equal(status, 200, 'the request in flight is answered');
      assert.equal(connection, 'close', 'and told the connection ends');
      await socketClosed;
      await closed;
    } finally {
      agent.destroy();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
