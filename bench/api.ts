/**
 * API throughput and tail latency (issue #3, docs/benchmarks.md). Not a test: prints numbers.
 *   npm run bench:api                 full run (about 2 minutes, seeds 1M events)
 *   npm run bench:api -- --quick      short run, 100k events
 *   npm run bench:api -- --ingest-only [--server other/packages/server/bin/pecta.js]
 *                                     only the ingest phases, optionally against another build
 *   npm run bench:api -- --hostile-only
 *                                     only the worst-case-body phase, with and without the evaluation thread
 *   npm run bench:api -- --store postgres [--instances N]
 *                                     on PostgreSQL (PECTA_BENCH_DATABASE_URL, default the local test database, in a
 *                                     schema of its own, dropped afterwards), optionally N instances sharing the load
 * Starts the compiled server (`pecta serve`) on loopback with a fresh data directory, lifts the rate limits of the
 * bootstrapped organisation with `pecta orgs limits`, then drives it with autocannon from this process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { benchIngestEvent } from './ingest-event.js';
import { machineReference, referenceLine } from './reference.js';

const quick = process.argv.includes('--quick');
/** Only the ingest phases: for comparing two builds (see docs/benchmarks.md). */
const ingestOnly = process.argv.includes('--ingest-only');
/** Only the evaluate phase: for comparing two builds on the evaluate path. */
const evaluateOnly = process.argv.includes('--evaluate-only');
/** Only the phase where one client sends worst-case evaluate bodies (issue #10), with and without the thread. */
const hostileOnly = process.argv.includes('--hostile-only');
const serverFlag = process.argv.indexOf('--server');
const storeFlag = process.argv.indexOf('--store');
const onPostgres = storeFlag > 0 && process.argv[storeFlag + 1] === 'postgres';
const instancesFlag = process.argv.indexOf('--instances');
const INSTANCES = instancesFlag > 0 ? Math.max(1, Number(process.argv[instancesFlag + 1])) : 1;
const DATABASE_URL = process.env.PECTA_BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `pecta_bench_${process.pid}`;
/** Every `pecta` command of this run points at the same store: the data directory, or PostgreSQL as well. */
const STORE_ARGS = onPostgres ? ['--database-url', DATABASE_URL, '--database-schema', SCHEMA] : [];
const SERVER_ENV = { ...process.env, ...(onPostgres ? { PECTA_MASTER_KEY: 'be'.repeat(32) } : {}) };
const DURATION = quick ? 5 : 15;
const TARGET_EVENTS = quick ? 100_000 : 1_000_000;
const AGENTS = 1000;
const ROOT = new URL('..', import.meta.url).pathname;
/** `--server path/to/pecta.js` benchmarks another build (e.g. an older commit's worktree) with this script. */
const PECTA = serverFlag > 0 ? process.argv[serverFlag + 1]! : join(ROOT, 'packages/server/bin/pecta.js');

interface Server {
  url: string;
  /** Every instance's URL (the first is `url`); load is spread over all of them. */
  urls: string[];
  pk: string;
  orgId: string;
  stop(): Promise<void>;
}

async function startInstance(dataDir: string, extraArgs: string[]): Promise<{ out: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [PECTA, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', ...STORE_ARGS, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: SERVER_ENV,
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.on('exit', () => reject(new Error(`server exited:\n${out}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/listening on/.test(out)) resolve();
    });
  });
  return {
    out,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function startServer(dataDir: string, extraArgs: string[] = []): Promise<Server> {
  const first = await startInstance(dataDir, extraArgs);
  // Further instances share the database; each gets a data directory of its own, as on separate machines.
  const others = await Promise.all(Array.from({ length: INSTANCES - 1 }, (_, i) => startInstance(join(dataDir, `instance-${i + 2}`), extraArgs)));
  const all = [first, ...others];
  const urls = all.map((i) => /listening on (http:\/\/\S+)/.exec(i.out)![1]!);
  return {
    url: urls[0]!,
    urls,
    pk: /publishable\s+(pk_live_\w+)/.exec(first.out)![1]!,
    orgId: /organisation (org_\w+)/.exec(first.out)![1]!,
    stop: async () => {
      await Promise.all(all.map((i) => i.stop()));
      if (onPostgres) dropSchema();
    },
  };
}

/**
 * What autovacuum does within about a minute of a bulk load: the query phases start seconds after a million inserts,
 * and without statistics the planner picks plans no running database would keep.
 */
function analyzeEvents(): void {
  const r = spawnSync('psql', [DATABASE_URL, '-qc', `ANALYZE ${SCHEMA}.events; ANALYZE ${SCHEMA}.agents`], { encoding: 'utf8' });
  if (r.status !== 0) console.error(`# could not analyze schema ${SCHEMA}: ${r.stderr}`);
}

function dropSchema(): void {
  const r = spawnSync('psql', [DATABASE_URL, '-qc', `DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`], { encoding: 'utf8' });
  if (r.status !== 0) console.error(`# could not drop schema ${SCHEMA}: ${r.stderr}`);
}

/** Where the load goes: one instance, or (with --instances) each of them, with the connections split evenly. */
let targets: string[] = [];

function runOne(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * With several instances, one autocannon per instance with its share of the connections, in parallel. The merged
 * result sums counts and takes the worst instance's percentiles (a percentile of the union is not kept by autocannon).
 */
async function run(opts: autocannon.Options): Promise<autocannon.Result> {
  const base = targets[0];
  const url = String(opts.url);
  if (targets.length <= 1 || base === undefined || !url.startsWith(base)) return runOne(opts);
  const connections = opts.connections ?? 10;
  const share = (i: number) => Math.max(1, Math.floor(connections / targets.length) + (i < connections % targets.length ? 1 : 0));
  const results = await Promise.all(
    targets.map((target, i) =>
      runOne({ ...opts, url: target + url.slice(base.length), connections: share(i), ...(opts.amount ? { amount: Math.ceil(opts.amount / targets.length) } : {}) }),
    ),
  );
  const sum = (f: (r: autocannon.Result) => number) => results.reduce((n, r) => n + f(r), 0);
  const worst = (f: (r: autocannon.Result) => number) => Math.max(...results.map(f));
  return {
    ...results[0]!,
    connections,
    duration: worst((r) => r.duration),
    '2xx': sum((r) => r['2xx']),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    latency: { ...results[0]!.latency, p50: worst((r) => r.latency.p50), p99: worst((r) => r.latency.p99), max: worst((r) => r.latency.max) },
  };
}

function ms(n: number): string {
  return `${n.toFixed(2)} ms`;
}

function summary(label: string, r: autocannon.Result, perRequest = 1): string {
  const ok = r['2xx'];
  const bad = r.non2xx + r.errors + r.timeouts;
  const rate = ok / (r.duration || 1);
  const unit = perRequest === 1 ? `${Math.round(rate).toLocaleString('en-US')} req/s` : `${Math.round(rate * perRequest).toLocaleString('en-US')} events/s (${Math.round(rate).toLocaleString('en-US')} req/s)`;
  return `| ${label} | ${r.connections} | ${unit} | ${ms(r.latency.p50)} | ${ms(r.latency.p99)} | ${ms(r.latency.max)} | ${bad} |`;
}

/**
 * `count` request bodies of 100 events. Each batch carries `agentsPerBatch` distinct agents (an SDK or proxy process
 * ships a handful of agents; 100 distinct agents per batch is the worst case for the store, which rewrites the
 * window of every agent a transaction touches), drawn from AGENTS agents in total.
 */
const BATCH_MARK = '@batch@';

const ORDINARY_EVALUATE_BODY = JSON.stringify({
  agent_id: 'summarizer-v2',
  tool: 'generate_summary',
  output: 'The quarterly earnings report shows a 12% increase in revenue, driven by the subscription tier launched in March. Operating costs rose 4.5% to $1.28M, mostly cloud spend; churn fell to 2.1%. Next review: Friday 10:30, room 4B.',
  latency_ms: 340,
});

function ingestBodies(count: number, agentsPerBatch: number, pool = AGENTS, withEventIds = false): string[] {
  const bodies: string[] = [];
  for (let b = 0; b < count; b++) {
    const events = Array.from({ length: 100 }, (_, i) => {
      const n = b * 100 + i;
      return {
        // BATCH_MARK is replaced per request (see ingestOpts), so no event_id repeats however long the phase runs.
        ...(withEventIds ? { event_id: `ev_bench_${BATCH_MARK}_${i}` } : {}),
        ...benchIngestEvent(n, `agent-${(b * agentsPerBatch + (i % agentsPerBatch)) % pool}`),
      };
    });
    bodies.push(JSON.stringify({ events }));
  }
  return bodies;
}

/**
 * Bodies that keep the gates busy for their whole budget, each under the 1 MiB evaluate limit: many tiny values,
 * a wide object, a long string of what the PII scanner reacts to, many short strings.
 */
function worstCaseBodies(): Blob[] {
  const body = (output: unknown) => new Blob([JSON.stringify({ agent_id: 'hostile', output })]);
  const text = '12 34-56.78@9 '.repeat(70_000);
  return [
    body(Array.from({ length: 300_000 }, () => ({}))),
    body(Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, '']))),
    body(text),
    body(Array.from({ length: 150_000 }, () => 'ab')),
  ];
}

interface HostileTally {
  sent: number;
  byStatus: Record<number, number>;
}

/** `connections` clients sending worst-case bodies back to back until `stop` resolves; refused ones are retried at once. */
async function hostileClient(url: string, key: string, connections: number, stop: Promise<void>): Promise<HostileTally> {
  const bodies = worstCaseBodies();
  const tally: HostileTally = { sent: 0, byStatus: {} };
  let done = false;
  void stop.then(() => (done = true));
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      for (let i = c; !done; i++) {
        const r = await fetch(`${url}/v1/evaluate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: bodies[i % bodies.length]!,
        }).catch(() => null);
        tally.sent++;
        const status = r?.status ?? 0;
        tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
        await r?.arrayBuffer().catch(() => undefined);
        // A refused client would not hammer at full speed: it waits as Retry-After asks, here a tenth of that.
        if (status === 429 || status === 503) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }),
  );
  return tally;
}

/**
 * /health and ordinary evaluations while one organisation's client (at the default rate limit of 200 requests a
 * minute) sends worst-case bodies as fast as its limit allows.
 */
async function hostilePhase(server: Server, dataDir: string, label: string): Promise<void> {
  const created = spawnSync(process.execPath, [PECTA, 'orgs', 'create', '--name', 'hostile', '--data-dir', dataDir, ...STORE_ARGS], { encoding: 'utf8', env: SERVER_ENV });
  if (created.status !== 0) throw new Error(created.stderr);
  const hostileKey = /publishable\s+(pk_live_\w+)/.exec(created.stdout)![1]!;
  const headers = { authorization: `Bearer ${server.pk}`, 'content-type': 'application/json' };
  const duration = quick ? 5 : 20;
  let stopHostile!: () => void;
  const stop = new Promise<void>((resolve) => (stopHostile = resolve));
  const hostile = hostileClient(server.url, hostileKey, 2, stop);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const [health, evaluate] = await Promise.all([
    run({ url: `${server.url}/health`, connections: 2, duration }),
    run({ url: `${server.url}/v1/evaluate`, method: 'POST', headers, body: ORDINARY_EVALUATE_BODY, connections: 10, duration }),
  ]);
  stopHostile();
  const tally = await hostile;
  console.log(summary(`GET /health, while one client sends worst-case evaluate bodies (${label})`, health));
  console.log(summary(`POST /v1/evaluate (ordinary), meanwhile (${label})`, evaluate));
  const statuses = Object.entries(tally.byStatus).map(([status, n]) => `${n}× ${status}`).join(', ');
  console.log(`|   the worst-case client (${label}): ${tally.sent} bodies sent: ${statuses} | | | | | | |`);
}

/** The bootstrapped organisation drives the load: its rate limits must not be what is measured. */
function liftLimits(server: Server, dataDir: string): void {
  targets = server.urls;
  const lift = spawnSync(
    process.execPath,
    [PECTA, 'orgs', 'limits', server.orgId, '--ingest', '1000000000', '--default', '1000000000', '--data-dir', dataDir, ...STORE_ARGS],
    { encoding: 'utf8', env: SERVER_ENV },
  );
  if (lift.status !== 0) throw new Error(lift.stderr);
}

/** The path of page `page` by cursor: the offset page before it hands out the cursor (the server allows both). */
async function deepCursorPath(baseUrl: string, authorization: string, page: number): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/events?limit=100&offset=${(page - 2) * 100}`, { headers: { authorization } });
  const body = (await response.json()) as { next_cursor: string | null };
  if (body.next_cursor === null) throw new Error(`fewer than ${(page - 1) * 100} events: no cursor to page ${page}`);
  return `/v1/events?limit=100&cursor=${body.next_cursor}`;
}

async function main(): Promise<void> {
  if (hostileOnly) {
    if (serverFlag < 0) {
      const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
      if (build.status !== 0) throw new Error('build failed');
    }
    console.log(`# bench:api --hostile-only — node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}${quick ? ' (quick)' : ''}`);
    console.log(`# ${referenceLine(await machineReference())}`);
    console.log('\n| scenario | connections | throughput | p50 | p99 | max | errors/non-2xx |');
    console.log('|---|---|---|---|---|---|---|');
    for (const [label, args] of [
      ['evaluation thread', []],
      ['all on the HTTP thread: --evaluate-threads 0', ['--evaluate-threads', '0']],
    ] as const) {
      const dataDir = mkdtempSync(join(tmpdir(), 'pecta-bench-'));
      const server = await startServer(dataDir, [...args]);
      try {
        liftLimits(server, dataDir);
        await hostilePhase(server, dataDir, label);
      } finally {
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    return;
  }
  if (serverFlag < 0) {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('build failed');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'pecta-bench-'));
  const server = await startServer(dataDir);
  try {
    liftLimits(server, dataDir);
    const headers = { authorization: `Bearer ${server.pk}`, 'content-type': 'application/json' };

    console.log(`# bench:api — node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, server and load generator on the same machine${quick ? ' (quick)' : ''}`);
    console.log(`# store: ${onPostgres ? `PostgreSQL (${INSTANCES} instance${INSTANCES > 1 ? 's' : ''}, database on the same machine)` : 'SQLite'}`);
    if (serverFlag > 0) console.log(`# server: ${PECTA}`);
    console.log(`# ${referenceLine(await machineReference())}`);
    console.log('\n| scenario | connections | throughput | p50 | p99 | max | errors/non-2xx |');
    console.log('|---|---|---|---|---|---|---|');

    const evaluateBody = ORDINARY_EVALUATE_BODY;
    if (!ingestOnly) {
      await run({ url: `${server.url}/v1/evaluate`, method: 'POST', headers, body: evaluateBody, connections: 50, duration: 2 });
      console.log(summary('POST /v1/evaluate (default suite, 230 B output)', await run({ url: `${server.url}/v1/evaluate`, method: 'POST', headers, body: evaluateBody, connections: 50, duration: DURATION })));
    }
    if (evaluateOnly) return;

    let sent = 0;
    const ingestOpts = (bodies: string[], extra: Partial<autocannon.Options>): autocannon.Options => {
      let next = 0;
      // Decided once per phase: scanning every 25 KB body for the mark would load the load generator for nothing.
      const marked = bodies.some((b) => b.includes(BATCH_MARK));
      const body = (template: string) => (marked ? template.replaceAll(BATCH_MARK, String(sent++)) : template);
      return {
        url: `${server.url}/v1/ingest`,
        method: 'POST',
        headers,
        connections: 16,
        requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: body(bodies[next++ % bodies.length]!) }) }],
        ...extra,
      };
    };
    const few = await run(ingestOpts(ingestBodies(100, 10, 10), { duration: DURATION }));
    console.log(summary('POST /v1/ingest (100-event batches, the same 10 agents throughout)', few, 100));
    const typical = ingestBodies(100, 10);
    const ingest = await run(ingestOpts(typical, { duration: DURATION }));
    console.log(summary(`POST /v1/ingest (100-event batches, 10 agents each out of ${AGENTS})`, ingest, 100));
    const worst = await run(ingestOpts(ingestBodies(100, 100), { duration: DURATION }));
    console.log(summary(`POST /v1/ingest (100-event batches, 100 distinct agents each out of ${AGENTS})`, worst, 100));
    // What the SDK and the proxy send: every event carries an event_id, which the store de-duplicates.
    const withIds = await run(ingestOpts(ingestBodies(100, 10, AGENTS, true), { duration: DURATION }));
    console.log(summary(`POST /v1/ingest (as above, 10 agents each, every event with an event_id)`, withIds, 100));
    if (ingestOnly) return;
    let recorded = (few['2xx'] + ingest['2xx'] + worst['2xx'] + withIds['2xx']) * 100;

    // Top up to the target history before measuring queries (every accepted batch holds 100 new events).
    const missing = Math.max(0, Math.ceil((TARGET_EVENTS - recorded) / 100));
    if (missing > 0) recorded += (await run(ingestOpts(typical, { amount: missing })))['2xx'] * 100;
    const total = recorded;
    if (onPostgres) analyzeEvents();

    const q = (path: string) => ({ url: `${server.url}${path}`, headers: { authorization: headers.authorization }, connections: 10, duration: quick ? 3 : 8 });
    const queries: Array<[string, string]> = [
      ['GET /v1/events?agent_id=…&limit=50', '/v1/events?agent_id=agent-417&limit=50'],
      ['GET /v1/events?passed=false&limit=100', '/v1/events?passed=false&limit=100'],
      ['GET /v1/events?agent_id=…&passed=false', '/v1/events?agent_id=agent-417&passed=false&limit=100'],
      ['GET /v1/events?agent_id=…&from=…&to=…', `/v1/events?agent_id=agent-417&from=${new Date(Date.now() - 3600_000).toISOString()}&to=${new Date(Date.now() + 3600_000).toISOString()}`],
      ['GET /v1/events?limit=100&offset=50000', '/v1/events?limit=100&offset=50000'],
      ['GET /v1/events?limit=100&offset=100000', '/v1/events?limit=100&offset=100000'],
      ['GET /v1/events?limit=100&cursor=… (page 1,000)', await deepCursorPath(server.url, headers.authorization, 1000)],
      ['GET /v1/reputation/:agentId', '/v1/reputation/agent-417'],
      ['GET /v1/agents (1000 agents, 500 listed)', '/v1/agents'],
    ];
    for (const [label, path] of queries) {
      await run({ ...q(path), duration: 1 });
      console.log(summary(`${label} @ ${(total / 1e6).toFixed(2)}M events`, await run(q(path))));
    }

    // Mixed: one client paging deep into history while agents evaluate. The page is read on the store's reader
    // thread; on the event loop it would hold up every evaluate for its ~10–25 ms.
    const deepPath = '/v1/events?limit=100&offset=100000';
    const [mixedEvaluate, mixedDeep] = await Promise.all([
      run({ url: `${server.url}/v1/evaluate`, method: 'POST', headers, body: evaluateBody, connections: 50, duration: DURATION }),
      run({ ...q(deepPath), connections: 1, duration: DURATION }),
    ]);
    console.log(summary('POST /v1/evaluate, while one client pages offset=100000', mixedEvaluate));
    console.log(summary(`GET /v1/events?limit=100&offset=100000 (that client) @ ${(total / 1e6).toFixed(2)}M events`, mixedDeep));

    await hostilePhase(server, dataDir, 'evaluation thread');
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
