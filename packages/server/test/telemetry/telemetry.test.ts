/**
 * PectaTelemetry against the real server over real HTTP: signing, rate limits, lost answers, a restart mid-stream,
 * and the reputation the server ends up with compared to the formula recomputed from what was tracked.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createEngine, defaultGates, newEvaluationId, PectaTelemetry, type EvaluationResult, type TelemetryOptions } from '@pecta/core';
import { buildApp } from '../../src/app.js';
import { SecretBox } from '../../src/auth/crypto.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { RollingWindowLimiter } from '../../src/ratelimit/index.js';
import { reputationOf, windowLatency } from '../../src/reputation.js';
import { SqliteStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { makeOrg, type OrgKeys } from '../helpers/app.js';

type Runtime = NonNullable<ConstructorParameters<typeof PectaTelemetry>[1]>;

/** Longer than any retry wait the client computes (30 s backoff cap, 60 s Retry-After cap). */
const NEVER = 3_600_000;

interface Server {
  app: FastifyInstance;
  store: Store;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The whole app on a real socket; `dbPath` and `box` may be reused to restart on the same data. */
async function listen(dir: string, box: SecretBox, options: { port?: number; now?: () => number } = {}): Promise<Server> {
  const store = new SqliteStore({ path: join(dir, 'pecta.db') });
  await store.init();
  const now = options.now ?? Date.now;
  const { app } = await buildApp({
    config: { ...DEFAULT_CONFIG, dataDir: dir, logLevel: 'silent' },
    store,
    box,
    now,
    limiter: new RollingWindowLimiter({ now }),
    logger: false,
  });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return {
    app,
    store,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

interface World {
  dir: string;
  box: SecretBox;
  server: Server;
  org: OrgKeys;
  dispose(): Promise<void>;
}

async function world(options: { now?: () => number; ingestLimit?: number } = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'pecta-telemetry-'));
  const box = new SecretBox(randomBytes(32));
  const server = await listen(dir, box, options.now ? { now: options.now } : {});
  const org = await makeOrg(server.store, box, 'telemetry-org');
  if (options.ingestLimit !== undefined) await server.store.setOrganizationLimits(org.orgId, { ingest_limit: options.ingestLimit, default_limit: null });
  const w: World = {
    dir,
    box,
    server,
    org,
    async dispose() {
      await w.server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return w;
}

const engine = createEngine({ gates: defaultGates() });
const OUTPUTS = [
  'The quarterly report shows revenue up 12%.',
  { reply: 'Write to jane.doe@example.com for details' },
  "I'm sorry, but I can't help with that request.",
  'run rm -rf / to clean up',
  'Here is the summary you asked for.',
  '   ',
];

/** Real engine results; `input` and `output` carry markers that must never reach the server. */
async function evaluations(count: number, agents = 3, from = 0): Promise<EvaluationResult[]> {
  const out: EvaluationResult[] = [];
  for (let i = from; i < from + count; i++) {
    out.push(
      await engine.evaluate({
        agent_id: `agent-${i % agents}`,
        tool: i % 2 ? 'search' : 'reply',
        input: { prompt: 'SECRET-PROMPT-MARKER' },
        output: OUTPUTS[i % OUTPUTS.length],
        latency_ms: (i * 37) % 140,
      }),
    );
  }
  return out;
}

/** What the server must report for each agent: the reputation formula (docs/api.md, Reputation) recomputed from the tracked results, in tracking order. */
function expectedReputations(results: readonly EvaluationResult[]): Map<string, ReturnType<typeof reputationOf>> {
  const windows = new Map<string, Array<{ passed: boolean; latency_ms: number | null }>>();
  for (const r of results) {
    const w = windows.get(r.agent_id) ?? [];
    w.push({ passed: r.passed, latency_ms: windowLatency(r.latency_ms, r.total_latency_ms) });
    windows.set(r.agent_id, w);
  }
  return new Map([...windows].map(([agent, w]) => [agent, reputationOf(w)]));
}

async function get(server: Server, key: string, path: string): Promise<any> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res.json();
}

async function assertServerMatches(w: World, results: readonly EvaluationResult[]): Promise<void> {
  const expected = expectedReputations(results);
  const { agents } = (await get(w.server, w.org.pk, '/v1/agents')) as { agents: Array<{ agent_id: string; eval_count: number }> };
  const counts = new Map(agents.map((a) => [a.agent_id, a.eval_count]));
  for (const [agent, reputation] of expected) {
    assert.equal(counts.get(agent), reputation.evaluations, `${agent}: eval_count (nothing lost, nothing counted twice)`);
    const { agent_id, ...served } = await get(w.server, w.org.pk, `/v1/reputation/${agent}`);
    assert.equal(agent_id, agent);
    assert.deepEqual(served, reputation, `${agent}: reputation`);
  }
  assert.equal(agents.length, expected.size);
}

/** A fetch that records statuses, so tests can tell how many requests were made and how they were answered. */
function recordingFetch(inner: typeof fetch = fetch) {
  const log: Array<{ status: number | 'network'; retryAfter: string | null; duplicates?: number }> = [];
  const wrapped = (async (input: RequestInfo | URL, init?: RequestInit) => {
    try {
      const res = await inner(input, init);
      const entry: (typeof log)[number] = { status: res.status, retryAfter: res.headers.get('retry-after') };
      if (res.status === 202) entry.duplicates = ((await res.clone().json()) as { duplicates: number }).duplicates;
      log.push(entry);
      return res;
    } catch (error) {
      log.push({ status: 'network', retryAfter: null });
      throw error;
    }
  }) as typeof fetch;
  return { fetch: wrapped, log };
}

function telemetry(w: World, options: Partial<TelemetryOptions>, runtime: Runtime = {}): PectaTelemetry {
  return new PectaTelemetry({ apiKey: w.org.pk, endpoint: w.server.url, flushIntervalMs: NEVER, ...options }, runtime);
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('PectaTelemetry against the real server', () => {
  it('HMAC-signed batches are accepted; the reputation equals the formula over what was tracked', async () => {
    const w = await world();
    try {
      const log = recordingFetch();
      const t = telemetry(w, { secretKey: w.org.sk, fetch: log.fetch });
      const results = await evaluations(250);
      for (const r of results) t.track(r);
      await t.shutdown();
      assert.deepEqual(t.stats(), { sent: 250, dropped: 0, failed: 0, sampledOut: 0, pending: 0 });
      assert.deepEqual(log.log.map((e) => e.status), [202, 202, 202]);
      await assertServerMatches(w, results);

      const { events } = (await get(w.server, w.org.pk, '/v1/events?limit=100')) as { events: Array<Record<string, unknown>> };
      const stored = JSON.stringify(events);
      assert.ok(!stored.includes('SECRET-PROMPT-MARKER') && !stored.includes('jane.doe'), 'input and output never reach the server');
      const newest = results[results.length - 1]!;
      const match = events.find((e) => e.created_at === newest.created_at && e.agent_id === newest.agent_id);
      assert.ok(match, 'the event keeps the evaluation time');
      assert.deepEqual(
        (match.gates as Array<{ name: string }>).map((g) => g.name),
        newest.gates.map((g) => g.name),
      );
    } finally {
      await w.dispose();
    }
  });

  it('a wrong secret is rejected with hmac_invalid: counted failed, never retried, nothing recorded', async () => {
    const w = await world();
    try {
      const log = recordingFetch();
      const errors: string[] = [];
      const wrongSecret = 'sk_live_' + 'Z9'.repeat(16);
      const t = telemetry(w, { secretKey: wrongSecret, fetch: log.fetch, maxBatch: 20, onError: (m) => errors.push(m) });
      const results = await evaluations(50);
      for (const r of results) t.track(r);
      await t.shutdown();
      assert.deepEqual(t.stats(), { sent: 0, dropped: 0, failed: 50, sampledOut: 0, pending: 0 });
      assert.deepEqual(log.log.map((e) => e.status), [401, 401, 401], 'one request per batch, no retries');
      assert.equal(errors.length, 3);
      assert.ok(errors.every((m) => m.includes('HTTP 401 hmac_invalid')), errors.join('\n'));
      const { agents } = (await get(w.server, w.org.pk, '/v1/agents')) as { agents: unknown[] };
      assert.equal(agents.length, 0);
    } finally {
      await w.dispose();
    }
  });

  it('an organisation that requires signed ingest takes batches signed with secretKey and refuses unsigned ones', async () => {
    const w = await world();
    try {
      await w.server.store.updateOrganizationSettings(w.org.orgId, { require_signed_ingest: true });
      const errors: string[] = [];
      const unsigned = telemetry(w, { maxBatch: 20, onError: (m) => errors.push(m) });
      for (const r of await evaluations(20)) unsigned.track(r);
      await unsigned.shutdown();
      assert.deepEqual(unsigned.stats(), { sent: 0, dropped: 0, failed: 20, sampledOut: 0, pending: 0 });
      assert.ok(errors.length === 1 && errors[0]!.includes('HTTP 401 signature_required'), errors.join('\n'));
      const signed = telemetry(w, { secretKey: w.org.sk, maxBatch: 20 });
      const results = await evaluations(20);
      for (const r of results) signed.track(r);
      await signed.shutdown();
      assert.equal(signed.stats().sent, 20);
      await assertServerMatches(w, results);
    } finally {
      await w.dispose();
    }
  });

  it('survives a 429 storm, waiting out every Retry-After, with nothing counted twice', async () => {
    // The server's clock runs ahead by however long the client waits: minutes of rate limiting in milliseconds.
    let offset = 0;
    const w = await world({ now: () => Date.now() + offset, ingestLimit: 2 });
    try {
      const waits: number[] = [];
      const runtime: Runtime = {
        requestTimeoutMs: NEVER,
        setTimeout: (fn, ms) => {
          if (ms >= NEVER) return setTimeout(fn, ms);
          waits.push(ms);
          offset += ms;
          return setTimeout(fn, 0);
        },
        clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      };
      const log = recordingFetch();
      const t = telemetry(w, { secretKey: w.org.sk, fetch: log.fetch, maxBatch: 10 }, runtime);
      const results = await evaluations(300);
      for (const r of results) t.track(r);
      // No deadline: the point is waiting out every Retry-After (the fake timers would fire a 10 s one at once).
      await t.shutdown({ timeoutMs: Number.POSITIVE_INFINITY });
      assert.deepEqual(t.stats(), { sent: 300, dropped: 0, failed: 0, sampledOut: 0, pending: 0 });
      const limited = log.log.filter((e) => e.status === 429);
      assert.ok(limited.length >= 10, `only ${limited.length} answers were 429`);
      assert.equal(log.log.filter((e) => e.status === 202).length, 30);
      assert.equal(waits.length, limited.length, 'one wait per 429');
      for (const [i, e] of limited.entries()) {
        assert.ok(e.retryAfter !== null && waits[i]! >= Number(e.retryAfter) * 1000, `wait ${waits[i]} ms after Retry-After: ${e.retryAfter}`);
      }
      await assertServerMatches(w, results);
    } finally {
      await w.dispose();
    }
  });

  it('a batch whose answer was lost is sent again and deduplicated by event_id', async () => {
    const w = await world();
    try {
      // Every third request reaches the server and is recorded, but the client never hears back.
      let n = 0;
      const lossy = (async (input: RequestInfo | URL, init?: RequestInit) => {
        const res = await fetch(input, init);
        if (++n % 3 === 0) {
          await res.arrayBuffer();
          throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
        }
        return res;
      }) as typeof fetch;
      const log = recordingFetch(lossy);
      const t = telemetry(w, { fetch: log.fetch, maxBatch: 25 }, { random: () => 0 });
      const results = await evaluations(200);
      for (const r of results) t.track(r);
      await t.shutdown();
      assert.deepEqual(t.stats(), { sent: 200, dropped: 0, failed: 0, sampledOut: 0, pending: 0 });
      const replays = log.log.filter((e) => e.status === 202 && e.duplicates! > 0);
      assert.ok(replays.length >= 3, `${replays.length} replays were recognised as duplicates`);
      assert.ok(replays.every((e) => e.duplicates === 25), 'a replay is the whole batch, every event a duplicate');
      await assertServerMatches(w, results);
    } finally {
      await w.dispose();
    }
  });

  it('survives a server restart mid-stream: nothing lost, nothing doubled', async () => {
    const w = await world();
    try {
      const runtime: Runtime = {
        requestTimeoutMs: 5000,
        // Retry waits shortened to 25 ms so the outage spans many retries in a short test.
        setTimeout: (fn, ms) => setTimeout(fn, ms >= 5000 ? ms : 25),
        clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      };
      const log = recordingFetch();
      const t = telemetry(w, { secretKey: w.org.sk, fetch: log.fetch, maxBatch: 10, maxRetries: 200 }, runtime);
      const results = await evaluations(600);
      const port = w.server.port;
      let restarted: Promise<void> | undefined;
      for (const [i, r] of results.entries()) {
        t.track(r);
        if (i === 200) {
          await until(() => t.stats().sent >= 150, 'traffic before the restart');
          restarted = (async () => {
            await w.server.close();
            // Down for a moment: the client keeps tracking into its buffer and retrying.
            await new Promise((r) => setTimeout(r, 100));
            w.server = await listen(w.dir, w.box, { port });
          })();
        }
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      await restarted;
      // No deadline: nothing may be lost, however slow the machine.
      await t.shutdown({ timeoutMs: Number.POSITIVE_INFINITY });
      assert.deepEqual(t.stats(), { sent: 600, dropped: 0, failed: 0, sampledOut: 0, pending: 0 });
      assert.equal(w.server.port, port);
      assert.ok(log.log.some((e) => e.status === 'network' || e.status === 503), 'the outage was noticed');
      await assertServerMatches(w, results);
    } finally {
      await w.dispose();
    }
  });

  it('shutdown() delivers the tail that never filled a batch', async () => {
    const w = await world();
    try {
      const log = recordingFetch();
      const t = telemetry(w, { fetch: log.fetch });
      const results = await evaluations(257);
      for (const r of results) t.track(r);
      await until(() => t.stats().sent === 200, 'the two full batches');
      assert.equal(t.stats().pending, 57);
      assert.equal(log.log.length, 2);
      await t.shutdown();
      assert.deepEqual(t.stats(), { sent: 257, dropped: 0, failed: 0, sampledOut: 0, pending: 0 });
      await assertServerMatches(w, results);
    } finally {
      await w.dispose();
    }
  });

  it('odd results are clamped so the server never refuses a batch because of one of them', async () => {
    const w = await world();
    try {
      const errors: string[] = [];
      const t = telemetry(w, { secretKey: w.org.sk, onError: (m) => errors.push(m) });
      const { evaluation_id: _shared, ...base } = (await evaluations(1))[0]!;
      const odd: unknown[] = [
        { ...base, agent_id: 'a'.repeat(1000), evaluation_id: undefined },
        { ...base, agent_id: `${'b'.repeat(199)}😀`, tool: 't'.repeat(999) },
        { ...base, gates: Array.from({ length: 120 }, (_, i) => ({ name: `g${i}`.repeat(100), passed: i % 2 === 0, latency_ms: -1, reason: '\u0000€'.repeat(999) })) },
        { ...base, gates: [{ name: '', passed: false }, { name: 'ok', passed: true, latency_ms: Number.NaN }], passed: undefined },
        { ...base, total_latency_ms: Number.POSITIVE_INFINITY, latency_ms: 1e12, created_at: '2999-01-01T00:00:00Z' },
        { ...base, created_at: 'yesterday-ish', evaluation_id: 'x'.repeat(500) },
        { ...base, created_at: '+275760-09-13T00:00:00.000Z', evaluation_id: '' },
        { agent_id: 'minimal' },
      ];
      // Distinct evaluations (the copies of `base` would otherwise share its id and count once).
      for (const r of odd) t.track({ evaluation_id: newEvaluationId(), ...(r as object) } as EvaluationResult);
      await t.shutdown();
      assert.deepEqual(t.stats(), { sent: odd.length, dropped: 0, failed: 0, sampledOut: 0, pending: 0 });
      assert.deepEqual(errors, []);
      const { agents } = (await get(w.server, w.org.pk, '/v1/agents')) as { agents: Array<{ eval_count: number }> };
      assert.equal(agents.reduce((n, a) => n + a.eval_count, 0), odd.length);
    } finally {
      await w.dispose();
    }
  });
});
