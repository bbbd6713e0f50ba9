/**
 * The per-request costs of the API's hot paths, each measured alone in this process (docs/benchmarks.md, "Hot path"):
 *
 *   npm run bench:hot-path
 *
 * - validating a 100-event ingest body: zod alone, and the hand-written check that runs before it;
 * - serialising the gates of 100 events for storage;
 * - posting a 100-event batch to a worker thread: the wire format, and the flat array it replaced;
 * - looking up a key by hash on a read connection, with and without a commit by another connection in between;
 * - serialising responses: checked against their zod schemas (what the server does) and by JSON.stringify alone.
 */
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { newEvaluationId } from '@pecta/core';
import { isPlainValidIngestBody } from '../packages/server/src/http/ingest-check.js';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { EvaluateResponse, EventsResponse, IngestBody } from '../packages/server/src/schemas.js';
import { openDatabase } from '../packages/server/src/store/sqlite/driver.js';
import { storedGatesJson } from '../packages/server/src/store/stored-gates.js';
import { encodeEvents } from '../packages/server/src/store/sqlite/wire-events.js';
import type { GateRecord, NewEvent } from '../packages/server/src/store/types.js';
import { benchIngestEvent } from './ingest-event.js';
import { machineReference, referenceLine } from './reference.js';

const quick = process.argv.includes('--quick');
const RUNS = quick ? 2000 : 10_000;

function micros(label: string, run: () => unknown): void {
  for (let i = 0; i < Math.min(1000, RUNS); i++) run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    run();
    times.push((performance.now() - start) * 1000);
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(times.length / 2)]!;
  const p99 = times[Math.floor(times.length * 0.99)]!;
  console.log(`| ${label} | ${p50.toFixed(1)} µs | ${p99.toFixed(1)} µs |`);
}

/** The bench:api ingest body: 100 events of 10 agents, three gates each. */
function ingestBody(): { events: Array<Record<string, unknown>> } {
  return { events: Array.from({ length: 100 }, (_, n) => benchIngestEvent(n, `agent-${n % 10}`)) };
}

function newEvents(): NewEvent[] {
  const now = Date.now();
  return ingestBody().events.map((e) => ({
    evaluation_id: newEvaluationId(now),
    event_id: null,
    agent_id: e.agent_id as string,
    tool_name: e.tool as string,
    passed: e.passed as boolean,
    gates: e.gates as GateRecord[],
    total_latency_ms: e.total_latency_ms as number,
    latency_ms: e.latency_ms as number,
    created_at: now,
  }));
}

/** The layout batches had before wire-events.ts: one flat array, nine values per event. */
function flatArray(events: readonly NewEvent[]): unknown[] {
  const out: unknown[] = [];
  for (const e of events) {
    out.push(e.evaluation_id, e.event_id, e.agent_id, e.tool_name, e.passed ? 1 : 0, storedGatesJson(e.gates), e.total_latency_ms, e.latency_ms, e.created_at);
  }
  return out;
}

async function main(): Promise<void> {
  console.log(`# bench:hot-path — node ${process.version}`);
  console.log(`# ${referenceLine(await machineReference(quick ? 2000 : 5000))}`);
  console.log('');
  console.log('| step (per 100-event request unless said) | p50 | p99 |');
  console.log('|---|---|---|');

  const text = JSON.stringify(ingestBody());
  micros('JSON.parse of the body (26 KB), for scale', () => JSON.parse(text));
  const parsed: unknown = JSON.parse(text);
  micros('validation: zod (IngestBody.safeParse)', () => IngestBody.safeParse(parsed));
  micros('validation: hand-written check (ingest-check.ts)', () => isPlainValidIngestBody(parsed));

  const evaluateAnswer = {
    evaluation_id: newEvaluationId(),
    passed: true,
    gates: ['filesystem', 'pii', 'content'].map((name) => ({ name, passed: true, latency_ms: 0.012 })),
    total_latency_ms: 0.05,
    reputation: { score: 812, status: 'active', evaluations: 120, passed: 118, pass_rate: 0.98, avg_latency_ms: 12.5, streak: 40 },
  };
  const eventsAnswer = {
    events: newEvents().map((e) => ({ ...e, created_at: new Date(e.created_at).toISOString(), reputation_score: 812 })),
    limit: 100,
    offset: 0,
    count: 100,
    next_cursor: 'YzEuMTcwMDAwMDAwMDAwMC40Mg',
  };
  const checked = (schema: unknown, url: string) =>
    serializerCompiler({ schema, method: 'GET', url, httpStatus: '200' } as Parameters<typeof serializerCompiler>[0]) as (data: unknown) => string;
  const evaluateChecked = checked(EvaluateResponse, '/v1/evaluate');
  const eventsChecked = checked(EventsResponse, '/v1/events');
  micros('evaluate answer (per request): JSON.stringify alone', () => JSON.stringify(evaluateAnswer));
  micros('evaluate answer (per request): checked against its zod schema', () => evaluateChecked(evaluateAnswer));
  micros('events page of 100 (per request): JSON.stringify alone', () => JSON.stringify(eventsAnswer));
  micros('events page of 100 (per request): checked against its zod schema', () => eventsChecked(eventsAnswer));

  const gates = newEvents().map((e) => e.gates);
  const reference = (g: readonly GateRecord[]) =>
    JSON.stringify(g.map((x) => [x.name, x.passed ? 1 : 0, x.latency_ms, ...(x.reason !== undefined ? [x.reason] : [])]));
  micros('gates of 100 events as JSON: JSON.stringify of arrays', () => gates.map(reference));
  micros('gates of 100 events as JSON: built by hand (stored-gates.ts)', () => gates.map(storedGatesJson));

  const worker = new Worker('require("node:worker_threads").parentPort.on("message", () => {})', { eval: true });
  // Only the postMessage call is timed; each message is built fresh just before, as a request's would be.
  const post = (label: string, build: () => unknown) => {
    const times: number[] = [];
    for (let i = 0; i < RUNS + 1000; i++) {
      const events = build();
      const start = performance.now();
      worker.postMessage({ type: 'write', requests: [{ id: 1, op: 'recordEvents', orgId: 'org', events }] });
      if (i >= 1000) times.push((performance.now() - start) * 1000);
    }
    times.sort((a, b) => a - b);
    console.log(`| ${label} | ${times[Math.floor(RUNS / 2)]!.toFixed(1)} µs | ${times[Math.floor(RUNS * 0.99)]!.toFixed(1)} µs |`);
  };
  post('postMessage of a batch: flat array of 900 values (before)', () => flatArray(newEvents()));
  post('postMessage of a batch: one string + Float64Array (wire-events.ts)', () => encodeEvents(newEvents()));
  await worker.terminate();

  const dir = mkdtempSync(join(tmpdir(), 'pecta-hot-path-'));
  try {
    const path = join(dir, 'keys.db');
    // As the server has it: WAL checkpointed every 4000 pages, a 64 MiB reader cache, events with an index, group
    // commits of 100 events.
    const writer = openDatabase(path);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 4000');
    writer.exec('CREATE TABLE api_keys (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, org_id TEXT NOT NULL)');
    writer.exec('CREATE TABLE events (seq INTEGER PRIMARY KEY, agent INTEGER, body TEXT)');
    writer.exec('CREATE INDEX events_agent ON events(agent, seq)');
    const addKey = writer.prepare('INSERT INTO api_keys VALUES (?, ?, ?)');
    for (let k = 0; k < 10; k++) addKey.run(`key_${k}`, `${'h'.repeat(63)}${k}`, 'org');
    const addEvent = writer.prepare('INSERT INTO events (agent, body) VALUES (?, ?)');
    const addEvents = writer.transaction((n: number) => {
      for (let e = 0; e < n; e++) addEvent.run(e % 100, 'x'.repeat(150));
    });
    addEvents(200_000);
    const commit = () => addEvents(100);
    const reader = openDatabase(path, { readonly: true });
    reader.pragma('cache_size = -65536');
    const lookup = reader.prepare('SELECT id, org_id FROM api_keys WHERE hash = ?');
    let k = 0;
    micros('key lookup by hash, nothing committed in between (per request)', () => lookup.get(`${'h'.repeat(63)}${k++ % 10}`));
    // The commit happens outside the timed span: only the lookup after it is measured.
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      commit();
      const start = performance.now();
      lookup.get(`${'h'.repeat(63)}${k++ % 10}`);
      times.push((performance.now() - start) * 1000);
    }
    times.sort((a, b) => a - b);
    console.log(`| key lookup by hash, right after another connection committed (per request) | ${times[Math.floor(RUNS / 2)]!.toFixed(1)} µs | ${times[Math.floor(RUNS * 0.99)]!.toFixed(1)} µs |`);
    reader.close();
    writer.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
