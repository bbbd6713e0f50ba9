import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { connect } from 'node:net';
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

  it('waits the grace period for stalled work, then closes its connections and finishes', { timeout: 20_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pecta-shutdown-'));
    const store = new SqliteStore({ path: join(dir, 'pecta.db') });
    await store.init();
    const config = { ...DEFAULT_CONFIG, dataDir: dir, logLevel: 'silent' as const, shutdownGraceMs: 200 };
    const { app } = await buildApp({ config, store, box: new SecretBox(randomBytes(32)), logger: false });
    let arrivals = 0;
    let bothArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (bothArrived = resolve));
    app.addHook('onRequest', async () => {
      if (++arrivals === 2) bothArrived();
    });
    // A handler that never finishes, and below a client that never finishes sending its body.
    app.get('/test/stuck', () => new Promise(() => {}));
    app.post('/test/upload', async () => ({ ok: true }));
    const address = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
    const open = (text: string) => {
      const socket = connect(Number(address.port), '127.0.0.1', () => socket.write(text));
      socket.on('error', () => {});
      return new Promise<void>((resolve) => socket.on('close', () => resolve()));
    };
    try {
      const stuckClosed = open('GET /test/stuck HTTP/1.1\r\nHost: x\r\n\r\n');
      const uploadClosed = open('POST /test/upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
      await arrived;
      await app.close();
      await Promise.all([stuckClosed, uploadClosed]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
