/**
 * Redis for tests. The rule (see README "Tests"): tests that need Redis run against PECTA_TEST_REDIS_URL (default the
 * local redis://127.0.0.1:6379) and `redis-server` on PATH. With PECTA_REQUIRE_SERVICES=1 (set by .ci/run) a missing
 * Redis fails them; otherwise they are reported as skipped, with the reason printed once, so a machine with only
 * Node.js still runs the rest of the suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.PECTA_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

async function reachable(url: string): Promise<string | null> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let socketError: Error | undefined;
  client.on('error', (error: Error) => (socketError = error));
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    return (socketError ?? (error as Error)).message;
  } finally {
    client.disconnect();
  }
}

async function onPath(binary: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(binary, ['--version'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

/** Why the Redis tests cannot run here, or null when they can. */
export async function redisUnavailable(): Promise<string | null> {
  const error = await reachable(TEST_REDIS_URL);
  if (error !== null) return `no Redis at ${TEST_REDIS_URL} (${error})`;
  if (!(await onPath('redis-server'))) return 'redis-server is not on PATH (the fault tests start their own)';
  return null;
}

/** `describe` options: run, fail (CI) or skip with the reason printed. */
export async function redisSuiteOptions(): Promise<{ skip?: string }> {
  const why = await redisUnavailable();
  if (why === null) return {};
  if (process.env.PECTA_REQUIRE_SERVICES === '1') {
    throw new Error(`PECTA_REQUIRE_SERVICES=1 but ${why}: start Redis (see .ci/run) or set PECTA_TEST_REDIS_URL`);
  }
  const reason = `Redis tests not run: ${why}. Start redis-server or set PECTA_TEST_REDIS_URL; CI requires them.`;
  console.error(`pecta: ${reason}`);
  return { skip: reason };
}

/** A prefix no other run uses; `dropPrefix` deletes everything under it. */
export function testPrefix(): string {
  return `pecta-test:${randomBytes(6).toString('hex')}:`;
}

export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

export async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server (no persistence) on `port`, resolved once it accepts commands. */
export async function startThrowawayRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await reachable(`redis://127.0.0.1:${port}`)) === null) return child;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not start`);
}

export async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}
