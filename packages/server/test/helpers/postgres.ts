/**
 * PostgreSQL for tests, by the same rule as Redis (helpers/redis.ts): tests run against PECTA_TEST_DATABASE_URL
 * (default the local postgres://postgres@127.0.0.1:5432/test), each in a schema of its own that it drops afterwards,
 * so the shared server is never changed otherwise. With PECTA_REQUIRE_SERVICES=1 (set by .ci/run) a missing server
 * fails them; otherwise they are reported as skipped with the reason printed once.
 */
import { randomBytes } from 'node:crypto';
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
