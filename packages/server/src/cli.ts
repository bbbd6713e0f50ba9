/**
 * `pecta`: serve the API, manage organisations and keys, move an embedded store to PostgreSQL.
 * Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 a configured back end (PostgreSQL, Redis) unreachable.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MASTER_KEY_ENV, MASTER_KEY_FILE } from './auth/crypto.js';

import { VERSION } from './app.js';
import { ConfigError, loadConfig, SETTINGS, type ServerConfig } from './config.js';
import { createOrganization, issueKey } from './orgs.js';
import { AUTH_CACHE_MS } from './auth/auth-cache.js';
import { RedisInvalidationBus } from './invalidation/index.js';
import { RedisUnreachableError } from './redis/connection.js';
import { describeStore, moveToPostgres, StoreUnavailableError } from './store/index.js';
import { MasterKeyMismatchError, openStore, startServer, unreadableSecretKeys } from './server.js';
import type { KeyRecord, Store } from './store/types.js';

const USAGE = `pecta ${VERSION} — the Pecta API server

Usage:
  pecta serve [options]                         start the API (default http://127.0.0.1:8787)
  pecta orgs create --name NAME                 create an organisation with one key of each type
  pecta orgs list
  pecta orgs limits ORG_ID [--ingest N] [--default N] [--reset]
                                                per-organisation rate limits (requests per rolling minute)
  pecta orgs set ORG_ID --require-signed-ingest true|false
                                                refuse unsigned POST /v1/ingest (no X-Pecta-Signature)
  pecta keys create --type publishable|secret [--org ORG_ID] [--label TEXT]
  pecta keys list [--org ORG_ID]
  pecta keys revoke KEY_ID [--org ORG_ID]
  pecta migrate --from DATA_DIR --to postgres://… [--database-schema NAME]
                                                copy an embedded store into PostgreSQL (resumable, verified)

Options (also as environment variables):
${SETTINGS.map((s) => `  --${s.flag.padEnd(22)} ${s.env}`).join('\n')}

Every command takes --data-dir (default ~/.pecta/data, or $PECTA_HOME/data).
--org may be left out while the store has exactly one organisation.
With --redis-url, keys revoke, keys create --type secret, orgs limits and orgs set tell running servers at once.`;

class UsageError extends Error {}

const settingOptions = Object.fromEntries(
  SETTINGS.map((s) => [s.flag, s.key === 'trustProxy' ? ({ type: 'boolean' } as const) : ({ type: 'string' } as const)]),
);

export async function main(argv: string[], out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const [command, sub, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      out(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v') {
      out(VERSION);
      return 0;
    }
    if (command === 'serve') return await serve(sub === undefined ? [] : [sub, ...rest], out);
    if (command === 'orgs') return await orgs(sub, rest, out);
    if (command === 'keys') return await keys(sub, rest, out);
    if (command === 'migrate') return await migrateCommand(sub === undefined ? [] : [sub, ...rest], out);
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof RedisUnreachableError) {
      console.error(`pecta: ${error.message}: start Redis or fix --redis-url/PECTA_REDIS_URL; unset it to limit per instance.`);
      return 3;
    }
    if (error instanceof StoreUnavailableError) {
      console.error(`pecta: ${error.message}: start PostgreSQL or fix --database-url/PECTA_DATABASE_URL; unset it to use the embedded SQLite store.`);
      return 3;
    }
    if (error instanceof MasterKeyMismatchError) {
      console.error(`pecta: ${error.message}`);
      return 1;
    }
    if (error instanceof UsageError || error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`pecta: ${(error as Error).message}\nRun "pecta --help" for usage.`);
      return 2;
    }
    throw error;
  }
}

interface Parsed {
  values: Record<string, string | undefined> & { reset?: boolean; 'trust-proxy'?: boolean };
  positionals: string[];
}

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>): Parsed {
  const { values, positionals } = parseArgs({ args, options: { ...settingOptions, ...options }, allowPositionals: true, strict: true });
  return { values: values as Parsed['values'], positionals };
}

async function serve(args: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const config = loadConfig(values);
  const server = await startServer(config);
  const url = displayUrl(config, server.url);
  // The "listening" line comes last, so that whoever waits for it (a person, a supervisor, a test) has the keys too.
  const lines: string[] = [];
  if (server.bootstrap) {
    const { org, publishable, secret } = server.bootstrap;
    lines.push(
      `First start: created organisation ${org.id} with these keys. They are shown ONCE — store them now.`,
      `  publishable  ${publishable.key}   (reads, evaluate, ingest)`,
      `  secret       ${secret.key}   (also key management and HMAC signing)`,
      '',
      `Try: curl -s ${url}/v1/evaluate -H "Authorization: Bearer ${publishable.key}" \\`,
      `       -H "Content-Type: application/json" -d '{"agent_id":"demo","output":"hello"}'`,
      '',
    );
  }
  lines.push(`Dashboard: ${url}/  (sign in with a key)`);
  lines.push(`Pecta ${VERSION} listening on ${url}  (data: ${describeStore(config)})`);
  out(lines.join('\n'));
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        console.error(`pecta: second ${signal}, exiting without draining`);
        process.exit(1);
      }
      stopping = true;
      out(`pecta: ${signal} received, draining in-flight requests and writes…`);
      server.close().then(resolve, (error: unknown) => {
        console.error(`pecta: shutdown failed: ${(error as Error).message}`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  out('pecta: stopped');
  return 0;
}

async function migrateCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parse(args, { from: { type: 'string' }, to: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.from || !values.to) throw new UsageError('pecta migrate needs --from <data dir of the embedded store> and --to postgres://…');
  const config = loadConfig({ ...values, 'database-url': values.to });
  const sqlitePath = join(resolve(values.from), 'pecta.db');
  if (!existsSync(sqlitePath)) throw new UsageError(`no embedded store at ${sqlitePath}`);
  const report = await moveToPostgres({
    sqlitePath,
    postgres: { url: config.databaseUrl!, schema: config.databaseSchema },
    onProgress: (line) => out(`pecta migrate: ${line}`),
  });
  out(
    `pecta migrate: done: ${report.organizations} organisations, ${report.keys} keys, ${report.agents} agents, ${report.events} events ` +
      `(${report.eventsCopied} copied by this run${report.resumedAfterSeq > 0 ? `, resumed after seq ${report.resumedAfterSeq}` : ''}); ` +
      `counts match, ${report.checkedAgents} agents' reputations verified.`,
  );
  const masterKey = join(resolve(values.from), MASTER_KEY_FILE);
  if (existsSync(masterKey) && !process.env[MASTER_KEY_ENV]) {
    out(`Secret keys are still sealed with ${masterKey}: start every instance with ${MASTER_KEY_ENV}=$(cat ${masterKey}).`);
  }
  return 0;
}

function displayUrl(config: ServerConfig, address: string): string {
  return config.host === '0.0.0.0' || config.host === '::' ? `http://localhost:${new URL(address).port}` : address;
}

async function withStore<T>(values: Record<string, unknown>, fn: (store: Store, box: Awaited<ReturnType<typeof openStore>>['box']) => Promise<T>): Promise<T> {
  const config = loadConfig(values as Record<string, string>);
  const { store, box } = await openStore(config);
  try {
    return await fn(store, box);
  } finally {
    await store.close();
  }
}

/**
 * Tells running servers that the organisation's keys, limits or settings changed, when Redis is configured. The
 * change is committed either way: when Redis cannot take the message, a warning says that servers apply it within
 * their cache time. Returns when running servers apply it, for the confirmation line.
 */
async function announce(values: Record<string, unknown>, orgId: string): Promise<string> {
  const config = loadConfig(values as Record<string, string>);
  const later = `running servers apply it within ${AUTH_CACHE_MS / 1000} s`;
  if (config.redisUrl === null) return later;
  const bus = new RedisInvalidationBus({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix, commandTimeoutMs: Math.max(config.redisTimeoutMs, 1000) });
  try {
    await bus.connect();
    await bus.publish({ org: orgId });
    return 'running servers apply it now';
  } catch (error) {
    console.error(`pecta: warning: the change is saved, but Redis did not take the message for running servers (${(error as Error).message}); ${later}`);
    return later;
  } finally {
    await bus.close();
  }
}

async function resolveOrg(store: Store, given: string | undefined): Promise<string> {
  if (given) {
    if (!(await store.getOrganization(given))) throw new UsageError(`no organisation ${given}`);
    return given;
  }
  const all = await store.listOrganizations();
  if (all.length === 1) return all[0]!.id;
  if (all.length === 0) throw new UsageError('the store has no organisation yet: run "pecta serve" once or "pecta orgs create"');
  throw new UsageError(`the store has ${all.length} organisations: choose one with --org (see "pecta orgs list")`);
}

async function orgs(sub: string | undefined, args: string[], out: (line: string) => void): Promise<number> {
  if (sub === 'create') {
    const { values } = parse(args, { name: { type: 'string' } });
    const name = values.name?.trim();
    if (!name) throw new UsageError('orgs create needs --name');
    return withStore(values, async (store, box) => {
      const org = await createOrganization(store, name);
      const pk = await issueKey(store, box, org.id, 'publishable', 'created by cli');
      const sk = await issueKey(store, box, org.id, 'secret', 'created by cli');
      out(`organisation ${org.id} (${name}) — keys shown once:`);
      out(`  publishable  ${pk.key}`);
      out(`  secret       ${sk.key}`);
      return 0;
    });
  }
  if (sub === 'list') {
    const { values } = parse(args, {});
    return withStore(values, async (store) => {
      for (const o of await store.listOrganizations()) {
        const limits = `ingest ${o.ingest_limit ?? 'default'}/min, other ${o.default_limit ?? 'default'}/min`;
        const signing = o.require_signed_ingest ? '  signed ingest required' : '';
        out(`${o.id}  ${o.name}  created ${new Date(o.created_at).toISOString()}  ${limits}${signing}`);
      }
      return 0;
    });
  }
  if (sub === 'limits') {
    const { values, positionals } = parse(args, { ingest: { type: 'string' }, default: { type: 'string' }, reset: { type: 'boolean' } });
    const orgId = positionals[0];
    if (!orgId) throw new UsageError('orgs limits needs an organisation id');
    const limit = (raw: string | undefined, label: string): number | null | undefined => {
      if (raw === undefined) return undefined;
      if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--${label} must be a positive whole number`);
      return Number(raw);
    };
    return withStore(values, async (store) => {
      const org = await store.getOrganization(orgId);
      if (!org) throw new UsageError(`no organisation ${orgId}`);
      const next = values.reset
        ? { ingest_limit: null, default_limit: null }
        : {
            ingest_limit: limit(values.ingest, 'ingest') ?? org.ingest_limit,
            default_limit: limit(values.default, 'default') ?? org.default_limit,
          };
      await store.setOrganizationLimits(orgId, next);
      const when = await announce(values, orgId);
      out(`${orgId}: ingest ${next.ingest_limit ?? 'default'}/min, other routes ${next.default_limit ?? 'default'}/min (${when})`);
      return 0;
    });
  }
  if (sub === 'set') {
    const { values, positionals } = parse(args, { 'require-signed-ingest': { type: 'string' } });
    const orgId = positionals[0];
    if (!orgId) throw new UsageError('orgs set needs an organisation id');
    const raw = values['require-signed-ingest'];
    if (raw === undefined) throw new UsageError('orgs set needs a setting: --require-signed-ingest true|false');
    if (raw !== 'true' && raw !== 'false') throw new UsageError('--require-signed-ingest must be true or false');
    return withStore(values, async (store) => {
      const org = await store.updateOrganizationSettings(orgId, { require_signed_ingest: raw === 'true' });
      if (!org) throw new UsageError(`no organisation ${orgId}`);
      const when = await announce(values, orgId);
      out(`${orgId}: signed ingest ${org.require_signed_ingest ? 'required' : 'optional'} (${when})`);
      return 0;
    });
  }
  throw new UsageError(`unknown "orgs ${sub ?? ''}": use create, list, limits or set`);
}

async function keys(sub: string | undefined, args: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parse(args, { org: { type: 'string' }, type: { type: 'string' }, label: { type: 'string' } });
  if (sub === 'create') {
    const type = values.type;
    if (type !== 'publishable' && type !== 'secret') throw new UsageError('keys create needs --type publishable or --type secret');
    return withStore(values, async (store, box) => {
      const orgId = await resolveOrg(store, values.org);
      // A secret sealed under a different master key than the server's would be useless for HMAC.
      const unreadable = type === 'secret' ? await unreadableSecretKeys(store, box) : [];
      if (unreadable.length > 0) throw new MasterKeyMismatchError(unreadable);
      const issued = await issueKey(store, box, orgId, type, values.label ?? null);
      // Running servers cache the organisation's HMAC secrets: a new secret key must reach them too.
      if (type === 'secret') await announce(values, orgId);
      out(`${issued.record.id}  ${type}  (shown once) ${issued.key}`);
      return 0;
    });
  }
  if (sub === 'list') {
    return withStore(values, async (store) => {
      const orgId = await resolveOrg(store, values.org);
      for (const k of await store.listKeys(orgId)) out(describe(k));
      return 0;
    });
  }
  if (sub === 'revoke') {
    const keyId = positionals[0];
    if (!keyId) throw new UsageError('keys revoke needs a key id (see "pecta keys list")');
    return withStore(values, async (store) => {
      const orgId = await resolveOrg(store, values.org);
      const record = await store.revokeKey(orgId, keyId, Date.now());
      if (!record) throw new UsageError(`no key ${keyId} in ${orgId}`);
      const when = await announce(values, orgId);
      out(`revoked ${describe(record)}`);
      out(`  ${when}`);
      return 0;
    });
  }
  throw new UsageError(`unknown "keys ${sub ?? ''}": use create, list or revoke`);
}

function describe(k: KeyRecord): string {
  const state = k.revoked_at === null ? 'active' : `revoked ${new Date(k.revoked_at).toISOString()}`;
  const used = k.last_used_at === null ? 'never used' : `last used ${new Date(k.last_used_at).toISOString()}`;
  return `${k.id}  ${k.type.padEnd(11)}  ${k.hint}  ${k.label ?? ''}  ${state}  ${used}`;
}
