/**
 * The real server, in-process, on a free port and a temporary store, serving the built dashboard from
 * packages/dashboard/dist exactly as `pecta serve` does.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrganization, DEFAULT_CONFIG, issueKey, startServer, type RunningServer } from '@pecta/server';

export const DIST_DIR = new URL('../../dist/', import.meta.url).pathname;

export function assertDashboardBuilt(): void {
  if (!existsSync(join(DIST_DIR, 'index.html'))) {
    throw new Error(`the dashboard is not built (${DIST_DIR}index.html is missing): run \`npm run build\` at the repository root`);
  }
}

export interface Keys {
  pk: string;
  sk: string;
}

export interface TestServer {
  url: string;
  keys: Keys;
  server: RunningServer;
  /** A second organisation with keys and nothing else. */
  newOrganization(name: string): Promise<Keys>;
  api(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pecta-dashboard-'));
  // The agents page asks for one reputation per agent; the test clicks through many pages in well under a minute.
  const server = await startServer(
    { ...DEFAULT_CONFIG, dataDir: dir, port: 0, host: '127.0.0.1', logLevel: 'silent', defaultRateLimit: 100_000 },
    { logger: false },
  );
  if (!server.bootstrap) throw new Error('expected a fresh store to bootstrap an organisation');
  const keys = { pk: server.bootstrap.publishable.key, sk: server.bootstrap.secret.key };
  const url = server.url;

  const api: TestServer['api'] = async (method, path, key, body) => {
    const response = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  };

  return {
    url,
    keys,
    server,
    api,
    async newOrganization(name) {
      const org = await createOrganization(server.store, name);
      const pk = await issueKey(server.store, server.box, org.id, 'publishable', 'test');
      const sk = await issueKey(server.store, server.box, org.id, 'secret', 'test');
      return { pk: pk.key, sk: sk.key };
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
