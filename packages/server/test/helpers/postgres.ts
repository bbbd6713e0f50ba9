/**
 * PostgreSQL for tests, by the same rule as Redis (helpers/redis.ts): tests run against PECTA_TEST_DATABASE_URL
 * (default the local postgres://postgres@127.0.0.1:5432/test), each in a schema of its own that it drops afterwards,
 * so the shared server is never changed otherwise. With PECTA_REQUIRE_SERVICES=1 (set by .ci/run) a missing server
 * fails them; otherwise they are reported as skipped with the reason printed once.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const TEST_DATABASE_URL = process.env.PECTA_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Why the PostgreSQL tests cannot run here, or null when they can. */
export async function postgresUnavailable(url = TEST_DATABASE_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `no PostgreSQL at ${url} (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `describe` options: run, fail (CI) or skip with the reason printed. */
export async function postgresSuiteOptions(): Promise<{ skip?: string }> {
  const why = await postgresUnavailable();
  if (why === null) return {};
  if (process.env.PECTA_REQUIRE_SERVICES === '1') {
    throw new Error(`PECTA_REQUIRE_SERVICES=1 but ${why}: start PostgreSQL (see .ci/run) or set PECTA_TEST_DATABASE_URL`);
  }
  const reason = `PostgreSQL tests not run: ${why}. Start PostgreSQL or set PECTA_TEST_DATABASE_URL; CI requires them.`;
  console.error(`pecta: ${reason}`);
  return { skip: reason };
}

/** A schema name no other run uses. */
export function testSchema(): string {
  return `pecta_test_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export interface ThrowawayPostgres {
  url: string;
  /** Stops the server (fast shutdown: open connections are cut). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL server of its own on a spare port (initdb + pg_ctl), for tests that stop and restart the database: the
 * shared server is never touched. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 */
export async function throwawayPostgres(port: number): Promise<ThrowawayPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'pecta-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, postgresUid(), postgresGid());
  const run = (args: string[]) => {
    const [command, ...rest] = asRoot ? ['runuser', '-u', 'postgres', '--', ...args] : args;
    execFileSync(command!, rest, { stdio: 'pipe', timeout: 60_000 });
  };
  const data = join(dir, 'data');
  run(['initdb', '-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=on`;
  const start = async () => run(['pg_ctl', '-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  const stop = async () => run(['pg_ctl', '-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy: async () => {
      try {
        await stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresUid(): number {
  return Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
}

function postgresGid(): number {
  return Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
}
