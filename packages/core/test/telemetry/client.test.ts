import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createEngine } from '../../src/engine.js';
import { pii } from '../../src/gates/pii.js';
import { newEvaluationId } from '../../src/ids.js';
import { PectaTelemetry } from '../../src/index.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_SHUTDOWN_TIMEOUT_MS, MAX_BODY_BYTES, type TelemetryRuntime } from '../../src/telemetry/client.js';
import type { TelemetryOptions, TelemetryStats } from '../../src/telemetry/types.js';
import type { EvaluationResult } from '../../src/types.js';

const PK = 'pk_live_' + 'A1'.repeat(16);
const SK = 'sk_live_' + 'B2'.repeat(16);
/** Longer than any retry wait (30 s backoff cap, 60 s Retry-After cap): timers this long are the flush timer or a request timeout. */
const NEVER = 1_000_000;

interface Call {
  url: string;
  headers: Record<string, string>;
  bytes: Uint8Array;
  body: string;
  events: Array<Record<string, unknown>>;
  signal: AbortSignal;
}

type Answer = Response | Error | Promise<Response | Error>;

/** A fake ingest endpoint: records every request and answers with `respond` (default 202). */
function fakeServer(respond: (call: Call, index: number) => Answer = () => accepted()) {
  const calls: Call[] = [];
  const fakeFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const bytes = init!.body as Uint8Array;
    const body = new TextDecoder().decode(bytes);
    const call: Call = {
      url: String(input),
      headers: init!.headers as Record<string, string>,
      bytes,
      body,
      events: (JSON.parse(body) as { events: Array<Record<string, unknown>> }).events,
      signal: init!.signal!,
    };
    calls.push(call);
    const answer = await respond(call, calls.length - 1);
    if (answer instanceof Error) throw answer;
    return answer;
  }) as typeof globalThis.fetch;
  return { fetch: fakeFetch, calls, events: () => calls.flatMap((c) => c.events) };
}

function accepted(): Response {
  return new Response('{"accepted":1,"duplicates":0,"reputation_updates":[]}', { status: 202 });
}

function apiError(status: number, code: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error: `an error (${code})`, code, status }), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/**
 * Retry waits fire at once and are recorded; longer timers (flush, request timeout) are real, and so is shutdown()'s
 * default deadline (no retry wait these tests draw is exactly 10 s), which a drain that finishes clears.
 */
function instantRetries(random = 0.5) {
  const waits: number[] = [];
  const runtime: Partial<TelemetryRuntime> = {
    random: () => random,
    setTimeout: (fn, ms) => {
      if (ms >= NEVER || ms === DEFAULT_SHUTDOWN_TIMEOUT_MS) return setTimeout(fn, ms);
      waits.push(ms);
      return setTimeout(fn, 0);
    },
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    requestTimeoutMs: NEVER,
  };
  return { waits, runtime };
}

function result(i: number, overrides: Partial<EvaluationResult> = {}): EvaluationResult {
  return {
    evaluation_id: newEvaluationId(),
    agent_id: `agent-${i % 3}`,
    tool: 'search',
    passed: i % 4 !== 0,
    gates: [{ name: 'content', passed: i % 4 !== 0, latency_ms: 0.25, ...(i % 4 === 0 ? { reason: 'empty output' } : {}) }],
    total_latency_ms: 0.5,
    latency_ms: i,
    created_at: new Date().toISOString(),
    ...overrides,
  };
}

function client(fetch: typeof globalThis.fetch, options: Partial<TelemetryOptions> = {}, runtime: Partial<TelemetryRuntime> = instantRetries().runtime) {
  return new PectaTelemetry({ apiKey: PK, fetch, flushIntervalMs: NEVER, ...options }, runtime);
}

function total(s: TelemetryStats): number {
  return s.sent + s.dropped + s.failed + s.sampledOut + s.pending;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/**
 * Virtual time: every timer (flush, request timeout, retry wait, shutdown deadline) is queued, and settle() fires
 * them in time order, letting the client run in between, until the promise settles. It answers how much virtual
 * time that took, or undefined when the client got stuck (nothing left to fire) or ran past `limitMs`.
 */
function virtualClock(overrides: Partial<TelemetryRuntime> = {}) {
  let now = 1_700_000_000_000;
  const start = now;
  let nextId = 1;
  const queued = new Map<number, { at: number; fn: () => void }>();
  const runtime: Partial<TelemetryRuntime> = {
    now: () => now,
    random: () => 0.99,
    setTimeout: (fn, ms) => {
      queued.set(nextId, { at: now + ms, fn });
      return nextId++;
    },
    clearTimeout: (handle) => void queued.delete(handle as number),
    requestTimeoutMs: NEVER,
    ...overrides,
  };
  async function settle(promise: Promise<void>, limitMs = 3_600_000): Promise<number | undefined> {
    let settled = false;
    void promise.then(() => (settled = true));
    for (;;) {
      for (let i = 0; i < 3; i++) await tick();
      if (settled) return now - start;
      // The flush timer (NEVER) is not a delivery step; it is cleared by shutdown() anyway.
      const next = [...queued.entries()].filter(([, t]) => t.at - start <= limitMs).sort((a, b) => a[1].at - b[1].at)[0];
      if (next === undefined) return undefined;
      queued.delete(next[0]);
      now = next[1].at;
      next[1].fn();
    }
  }
  return { runtime, settle, timers: () => queued.size };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('PectaTelemetry: the data boundary', () => {
  it('sends metadata only: no input, output or gate details from a real engine result', async () => {
    const engine = createEngine({ gates: [pii()] });
    const evaluated = await engine.evaluate({ agent_id: 'bot', tool: 'mail', input: { prompt: 'PROMPT-TEXT' }, output: 'mail jane.doe@example.com now', latency_ms: 12 });
    assert.ok(evaluated.gates[0]!.details !== undefined, 'the gate produced details');
    const server = fakeServer();
    const t = client(server.fetch);
    t.track({ ...evaluated, input: 'PROMPT-TEXT', output: 'jane.doe@example.com' } as unknown as EvaluationResult);
    await t.shutdown();
    assert.equal(server.calls.length, 1);
    const body = server.calls[0]!.body;
    for (const leak of ['jane.doe', 'PROMPT-TEXT', '"details"', '"input"', '"output"']) assert.ok(!body.includes(leak), `${leak} in ${body}`);
    const event = server.calls[0]!.events[0]!;
    assert.deepEqual(Object.keys(event).sort(), ['agent_id', 'event_id', 'gates', 'latency_ms', 'passed', 'timestamp', 'tool', 'total_latency_ms']);
    assert.equal(event.event_id, evaluated.evaluation_id);
    assert.equal(event.timestamp, evaluated.created_at);
    assert.equal(event.passed, false);
    assert.deepEqual(Object.keys((event.gates as object[])[0]!).sort(), ['latency_ms', 'name', 'passed', 'reason']);
  });

  it('enforces the ingest limits on every event it sends', async () => {
    const server = fakeServer();
    const t = client(server.fetch);
    t.track(
      result(1, {
        agent_id: 'x'.repeat(500),
        gates: Array.from({ length: 80 }, (_, i) => ({ name: `gate-${i}`, passed: false, latency_ms: 1e7, reason: 'why '.repeat(300) })),
        total_latency_ms: -3,
      }),
    );
    await t.shutdown();
    const event = server.events()[0]!;
    assert.equal((event.agent_id as string).length, 200);
    const gates = event.gates as Array<{ reason: string; latency_ms: number }>;
    assert.equal(gates.length, 50);
    assert.ok(gates.every((g) => g.reason.length === 500 && g.latency_ms === 60_000));
    assert.equal(event.total_latency_ms, 0);
  });
});

describe('PectaTelemetry: track never throws', () => {
  it('counts garbage as failed, reports it once, and keeps working', async () => {
    const server = fakeServer();
    const messages: string[] = [];
    const t = client(server.fetch, { onError: (m) => messages.push(m) });
    const cyclic: Record<string, unknown> = { agent_id: 'cyclic', passed: true };
    cyclic.self = cyclic;
    cyclic.gates = [{ name: 'g', passed: true, details: cyclic }];
    const hostileGetter = Object.defineProperty({}, 'agent_id', { get: () => { throw new Error('boom'); } });
    const hostileProxy = new Proxy({}, { get: () => { throw new Error('boom'); }, has: () => { throw new Error('boom'); } });
    const garbage: unknown[] = [null, undefined, 42, 'result', Symbol('s'), () => 1, [], {}, { agent_id: '' }, hostileGetter, hostileProxy];
    for (const g of garbage) assert.doesNotThrow(() => t.track(g as EvaluationResult));
    assert.doesNotThrow(() => t.track(cyclic as unknown as EvaluationResult));
    assert.doesNotThrow(() => t.track({ agent_id: 'big', passed: true, latency_ms: 10n, gates: [{ name: 'n', passed: true, latency_ms: 5n }] } as unknown as EvaluationResult));
    t.track(result(1));
    await t.shutdown();
    const s = t.stats();
    assert.equal(s.failed, garbage.length);
    assert.equal(s.sent, 3, 'the cyclic result, the BigInt one and the good one');
    assert.equal(total(s), garbage.length + 3);
    // Reported in aggregate (at most once per flush interval, and at shutdown), never once per bad result.
    const reported = messages.map((m) => /(\d+) result\(s\) not tracked/.exec(m)).filter((m) => m !== null);
    assert.ok(reported.length <= 2, messages.join('\n'));
    assert.equal(reported.reduce((n, m) => n + Number(m[1]), 0), garbage.length);
  });

  it('survives an onError callback that throws', async () => {
    const server = fakeServer(() => apiError(400, 'validation_error'));
    const t = client(server.fetch, { onError: () => { throw new Error('callback bug'); } });
    t.track(null as unknown as EvaluationResult);
    t.track(result(1));
    await t.shutdown();
    assert.deepEqual(t.stats(), { sent: 0, dropped: 0, failed: 2, sampledOut: 0, pending: 0 });
  });
});

describe('PectaTelemetry: batching', () => {
  it('sends a batch as soon as maxBatch events are buffered, and keeps the rest for the timer', async () => {
    const server = fakeServer();
    const t = client(server.fetch, { maxBatch: 10 });
    for (let i = 0; i < 25; i++) t.track(result(i));
    assert.equal(server.calls.length, 0, 'nothing is sent on the caller stack');
    await until(() => server.calls.length === 2, 'two full batches');
    await tick();
    assert.deepEqual(server.calls.map((c) => c.events.length), [10, 10]);
    assert.equal(t.stats().pending, 5);
    await t.flush();
    assert.deepEqual(server.calls.map((c) => c.events.length), [10, 10, 5]);
    assert.deepEqual(t.stats(), { sent: 25, dropped: 0, failed: 0, sampledOut: 0, pending: 0 });
    await t.shutdown();
  });

  it('flushes a partial batch when flushIntervalMs elapses, without flush() or shutdown()', async () => {
    const server = fakeServer();
    const t = new PectaTelemetry({ apiKey: PK, fetch: server.fetch, flushIntervalMs: 20 });
    t.track(result(1));
    t.track(result(2));
    t.track(result(3));
    await until(() => server.calls.length === 1 && t.stats().sent === 3, 'the interval flush');
    assert.equal(server.calls[0]!.events.length, 3);
    t.track(result(4));
    await until(() => server.calls.length === 2, 'a second interval flush');
    assert.equal(server.calls[1]!.events.length, 1);
    await t.shutdown();
  });

  it('keeps tracking order across batches and retries', async () => {
    const server = fakeServer((_c, i) => (i % 3 === 1 ? apiError(503, 'unavailable') : accepted()));
    const t = client(server.fetch, { maxBatch: 7 });
    const tracked = Array.from({ length: 50 }, (_, i) => result(i));
    for (const r of tracked) t.track(r);
    await t.shutdown();
    const delivered = server.calls.filter((_c, i) => i % 3 !== 1).flatMap((c) => c.events.map((e) => e.event_id));
    assert.deepEqual(delivered, tracked.map((r) => r.evaluation_id));
  });

  it('splits batches that would exceed the body size cap', async () => {
    const server = fakeServer();
    const t = client(server.fetch);
    // ≈ 80 KB of JSON per event once the reasons are escaped: 100 of them would be ≈ 8 MB.
    const heavy = () => result(0, { gates: Array.from({ length: 50 }, (_, i) => ({ name: `g${i}`, passed: false, latency_ms: 1, reason: '\u0001€'.repeat(250) })) });
    for (let i = 0; i < 100; i++) t.track(heavy());
    await t.shutdown();
    assert.ok(server.calls.length > 1);
    for (const c of server.calls) assert.ok(c.bytes.length <= MAX_BODY_BYTES, `${c.bytes.length} bytes`);
    assert.equal(server.events().length, 100);
    assert.equal(t.stats().sent, 100);
  });

  it('posts to <endpoint>/v1/ingest with the Bearer key and a JSON content type', async () => {
    const server = fakeServer();
    const t = client(server.fetch, { endpoint: 'https://pecta.example/api/' });
    t.track(result(1));
    await t.shutdown();
    assert.equal(server.calls[0]!.url, 'https://pecta.example/api/v1/ingest');
    assert.equal(server.calls[0]!.headers.authorization, `Bearer ${PK}`);
    assert.equal(server.calls[0]!.headers['content-type'], 'application/json');
    assert.equal(server.calls[0]!.headers['x-pecta-signature'], undefined, 'unsigned without a secret key');
  });
});

describe('PectaTelemetry: HMAC', () => {
  it('signs the exact body bytes with the secret key, identically on a retry', async () => {
    const server = fakeServer((_c, i) => (i === 0 ? apiError(500, 'internal_error') : accepted()));
    const t = client(server.fetch, { secretKey: SK });
    t.track(result(1, { agent_id: 'ünïcode-agent 😀', tool: 'naïve' }));
    t.track(result(2));
    await t.shutdown();
    assert.equal(server.calls.length, 2);
    for (const c of server.calls) {
      const expected = 'sha256=' + createHmac('sha256', SK).update(c.bytes).digest('hex');
      assert.equal(c.headers['x-pecta-signature'], expected);
    }
    assert.deepEqual(server.calls[0]!.bytes, server.calls[1]!.bytes);
  });
});

describe('PectaTelemetry: retries', () => {
  it('retries a 500 and a network error, then counts the batch sent once', async () => {
    const server = fakeServer((_c, i) => [apiError(500, 'internal_error'), new TypeError('fetch failed'), accepted()][i] ?? accepted());
    const { waits, runtime } = instantRetries(0.5);
    const t = client(server.fetch, {}, runtime);
    for (let i = 0; i < 5; i++) t.track(result(i));
    await t.shutdown();
    assert.equal(server.calls.length, 3);
    assert.deepEqual(waits, [250, 500], 'full jitter at random() = 0.5 under ceilings of 500 and 1000 ms');
    assert.deepEqual(t.stats(), { sent: 5, dropped: 0, failed: 0, sampledOut: 0, pending: 0 });
  });

  it('waits at least Retry-After on 429 and 503', async () => {
    const server = fakeServer((_c, i) =>
      [apiError(429, 'rate_limited', { 'retry-after': '7' }), apiError(503, 'unavailable', { 'retry-after': '2' }), accepted()][i]!,
    );
    const { waits, runtime } = instantRetries(0.5);
    const t = client(server.fetch, {}, runtime);
    t.track(result(1));
    await t.shutdown();
    assert.deepEqual(waits, [7000, 2000]);
    assert.equal(t.stats().sent, 1);
  });

  for (const [status, code] of [
    [400, 'validation_error'],
    [401, 'hmac_invalid'],
    [401, 'auth_revoked'],
    [413, 'payload_too_large'],
  ] as const) {
    it(`never retries ${status} ${code}: counts the batch failed and reports the code`, async () => {
      const server = fakeServer(() => apiError(status, code));
      const messages: string[] = [];
      const t = client(server.fetch, { onError: (m) => messages.push(m) });
      for (let i = 0; i < 4; i++) t.track(result(i));
      await t.shutdown();
      assert.equal(server.calls.length, 1);
      assert.deepEqual(t.stats(), { sent: 0, dropped: 0, failed: 4, sampledOut: 0, pending: 0 });
      assert.equal(messages.length, 1);
      assert.match(messages[0]!, new RegExp(`4 event\\(s\\) rejected by the server: HTTP ${status} ${code}`));
    });
  }

  it('gives up after maxRetries with growing full-jitter waits', async () => {
    const server = fakeServer(() => apiError(502, 'bad_gateway'));
    const { waits, runtime } = instantRetries(0.999);
    const messages: string[] = [];
    const t = client(server.fetch, { maxRetries: 4, onError: (m) => messages.push(m) }, runtime);
    t.track(result(1));
    await t.flush();
    assert.equal(server.calls.length, 5);
    assert.deepEqual(waits, [499, 999, 1998, 3996]);
    assert.deepEqual(t.stats(), { sent: 0, dropped: 0, failed: 1, sampledOut: 0, pending: 0 });
    assert.match(messages[0]!, /not sent after 4 retries: HTTP 502 bad_gateway/);
    await t.shutdown();
  });

  it('abandons a request that never answers and retries it', async () => {
    let first = true;
    const server = fakeServer(
      (call) =>
        new Promise((resolve) => {
          if (!first) return resolve(accepted());
          first = false;
          call.signal.addEventListener('abort', () => resolve(new DOMException('aborted', 'AbortError')));
        }),
    );
    const t = new PectaTelemetry({ apiKey: PK, fetch: server.fetch, flushIntervalMs: NEVER }, { requestTimeoutMs: 20, random: () => 0 });
    t.track(result(1));
    await t.shutdown();
    assert.equal(server.calls.length, 2);
    assert.ok(server.calls[0]!.signal.aborted);
    assert.equal(t.stats().sent, 1);
  });
});

describe('PectaTelemetry: bounded buffer', () => {
  it('drops the oldest events when full and counts them', async () => {
    const server = fakeServer();
    const messages: string[] = [];
    const t = client(server.fetch, { maxBuffer: 5, onError: (m) => messages.push(m) });
    const tracked = Array.from({ length: 12 }, (_, i) => result(i));
    for (const r of tracked) t.track(r);
    assert.deepEqual(t.stats(), { sent: 0, dropped: 7, failed: 0, sampledOut: 0, pending: 5 });
    await t.shutdown();
    assert.deepEqual(server.events().map((e) => e.event_id), tracked.slice(7).map((r) => r.evaluation_id));
    assert.deepEqual(t.stats(), { sent: 5, dropped: 7, failed: 0, sampledOut: 0, pending: 0 });
    assert.match(messages.join('\n'), /dropped: the buffer was full/);
  });

  it('keeps buffering while a batch is stuck in flight, dropping only the oldest buffered', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const server = fakeServer(async (_c, i) => {
      if (i === 0) await gate;
      return accepted();
    });
    const t = client(server.fetch, { maxBatch: 2, maxBuffer: 3 });
    const tracked = Array.from({ length: 9 }, (_, i) => result(i));
    t.track(tracked[0]!);
    t.track(tracked[1]!);
    await until(() => server.calls.length === 1, 'the first batch in flight');
    for (const r of tracked.slice(2)) t.track(r);
    assert.deepEqual(t.stats(), { sent: 0, dropped: 4, failed: 0, sampledOut: 0, pending: 5 });
    release();
    await t.shutdown();
    const ids = server.events().map((e) => e.event_id);
    assert.deepEqual(ids, [0, 1, 6, 7, 8].map((i) => tracked[i]!.evaluation_id));
  });
});

describe('PectaTelemetry: sampling', () => {
  it('sampleRate 0 sends nothing and 1 sends everything', async () => {
    const none = fakeServer();
    const t0 = client(none.fetch, { sampleRate: 0 });
    for (let i = 0; i < 100; i++) t0.track(result(i));
    await t0.shutdown();
    assert.equal(none.calls.length, 0);
    assert.deepEqual(t0.stats(), { sent: 0, dropped: 0, failed: 0, sampledOut: 100, pending: 0 });

    const all = fakeServer();
    const t1 = client(all.fetch, { sampleRate: 1 }, { ...instantRetries(0.999999).runtime });
    for (let i = 0; i < 100; i++) t1.track(result(i));
    await t1.shutdown();
    assert.equal(all.events().length, 100);
    assert.equal(t1.stats().sampledOut, 0);
  });

  it('sampleRate 0.5 keeps about half (Math.random)', async () => {
    const server = fakeServer();
    const t = new PectaTelemetry({ apiKey: PK, fetch: server.fetch, flushIntervalMs: NEVER, sampleRate: 0.5, maxBuffer: 20_000 });
    for (let i = 0; i < 10_000; i++) t.track(result(i));
    await t.shutdown();
    const s = t.stats();
    // Binomial(10000, 0.5): sd 50, so ±300 is six standard deviations.
    assert.ok(s.sampledOut > 4700 && s.sampledOut < 5300, `sampledOut ${s.sampledOut}`);
    assert.equal(s.sent, 10_000 - s.sampledOut);
    assert.equal(server.events().length, s.sent);
  });

  it('samples by drawing random() < sampleRate', async () => {
    const draws = [0.1, 0.3, 0.29, 0.9, 0.0];
    const server = fakeServer();
    const t = new PectaTelemetry({ apiKey: PK, fetch: server.fetch, flushIntervalMs: NEVER, sampleRate: 0.3 }, { random: () => draws.shift()! });
    const tracked = Array.from({ length: 5 }, (_, i) => result(i));
    for (const r of tracked) t.track(r);
    await t.shutdown();
    assert.deepEqual(server.events().map((e) => e.event_id), [0, 2, 4].map((i) => tracked[i]!.evaluation_id));
    assert.equal(t.stats().sampledOut, 2);
  });
});

describe('PectaTelemetry: shutdown', () => {
  it('drains everything, then counts later tracks as dropped', async () => {
    const server = fakeServer();
    const messages: string[] = [];
    const t = client(server.fetch, { onError: (m) => messages.push(m) });
    for (let i = 0; i < 250; i++) t.track(result(i));
    const done = t.shutdown();
    assert.equal(t.shutdown(), done, 'idempotent');
    await done;
    assert.deepEqual(server.calls.map((c) => c.events.length), [100, 100, 50]);
    assert.deepEqual(t.stats(), { sent: 250, dropped: 0, failed: 0, sampledOut: 0, pending: 0 });
    t.track(result(1));
    t.track(result(2));
    await t.flush();
    assert.deepEqual(t.stats(), { sent: 250, dropped: 2, failed: 0, sampledOut: 0, pending: 0 });
    assert.equal(server.calls.length, 3);
    const reported = messages.map((m) => /(\d+) event\(s\) dropped: track\(\) called after shutdown\(\)/.exec(m)).filter((m) => m !== null);
    assert.equal(reported.reduce((n, m) => n + Number(m[1]), 0), 2);
  });

  it('waits for a retry in progress, and keeps the process alive while it does', async () => {
    const handles: NodeJS.Timeout[] = [];
    const server = fakeServer((_c, i) => (i === 0 ? apiError(503, 'unavailable', { 'retry-after': '0' }) : accepted()));
    const t = new PectaTelemetry(
      { apiKey: PK, fetch: server.fetch, flushIntervalMs: 60_000 },
      {
        random: () => 0.1,
        requestTimeoutMs: 10_000,
        // Flush timer and request timeouts as asked; retry waits stretched to 200 ms so the test can look at them.
        setTimeout: (fn, ms) => {
          const h = setTimeout(fn, ms >= 10_000 ? ms : 200);
          handles.push(h);
          return h;
        },
        clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      },
    );
    t.track(result(1));
    assert.equal(handles[0]!.hasRef(), false, 'the flush timer never holds the process open');
    const flushed = t.flush();
    await until(() => server.calls.length === 1 && handles.length >= 3, 'the retry wait');
    const [, firstRequestTimeout, retryWait] = handles;
    assert.equal(firstRequestTimeout!.hasRef(), true, 'a request someone awaits holds the process open');
    assert.equal(retryWait!.hasRef(), true, 'so does a retry wait');
    await flushed;
    await t.shutdown();
    assert.equal(t.stats().sent, 1);
  });

  it('does not hold the process open for an event nobody awaits', async () => {
    const handles: NodeJS.Timeout[] = [];
    let release!: () => void;
    const answered = new Promise<void>((r) => (release = r));
    const server = fakeServer(async () => {
      await answered;
      return accepted();
    });
    const t = new PectaTelemetry(
      { apiKey: PK, fetch: server.fetch, flushIntervalMs: 60_000, maxBatch: 1 },
      { setTimeout: (fn, ms) => { const h = setTimeout(fn, ms); handles.push(h); return h; }, clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    );
    t.track(result(1));
    await until(() => server.calls.length === 1, 'the size-triggered request');
    assert.equal(handles.length, 2, 'flush timer and request timeout');
    assert.ok(handles.every((h) => !h.hasRef()));
    release();
    await t.shutdown();
  });

  it('lets a real Node process exit after track() without shutdown()', async () => {
    const index = new URL('../../src/index.ts', import.meta.url).href;
    const script = `
      import { PectaTelemetry } from ${JSON.stringify(index)};
      const t = new PectaTelemetry({ apiKey: 'pk_live_${'A1'.repeat(16)}', endpoint: 'http://127.0.0.1:9', flushIntervalMs: 600000 });
      t.track({ evaluation_id: 'ev_x', agent_id: 'a', passed: true, gates: [], total_latency_ms: 1, created_at: new Date().toISOString() });
      console.log('tracked', t.stats().pending);
    `;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--conditions=development', '--import', 'tsx', '--input-type=module', '-e', script], { timeout: 10_000 }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      );
    });
    assert.equal(out.trim(), 'tracked 1');
  });

  it('is bounded when the server is gone: one batch runs out of retries, the rest fail with it', async () => {
    const server = fakeServer(() => new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
    const messages: string[] = [];
    const t = client(server.fetch, { maxRetries: 2, onError: (m) => messages.push(m) });
    for (let i = 0; i < 250; i++) t.track(result(i));
    await t.shutdown();
    assert.equal(server.calls.length, 3);
    assert.deepEqual(t.stats(), { sent: 0, dropped: 0, failed: 250, sampledOut: 0, pending: 0 });
    assert.match(messages.join('\n'), /network error \(TypeError ECONNREFUSED/);
    assert.match(messages.join('\n'), /150 more event\(s\) not sent: shutting down/);
  });

  it('is bounded by a default deadline under 30 s against an unreachable server; what is left counts as dropped', async () => {
    // Refused at once, every time: today's retries (0.5 s, 1 s, 2 s… capped at 30 s) would run for about 90 s.
    const server = fakeServer(() => new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
    const clock = virtualClock();
    const messages: string[] = [];
    const t = client(server.fetch, { onError: (m) => messages.push(m) }, clock.runtime);
    for (let i = 0; i < 250; i++) t.track(result(i));
    const took = await clock.settle(t.shutdown());
    assert.ok(took !== undefined && took < 30_000, `shutdown() took ${took} ms of (virtual) time`);
    assert.equal(took, DEFAULT_SHUTDOWN_TIMEOUT_MS);
    assert.deepEqual(t.stats(), { sent: 0, dropped: 250, failed: 0, sampledOut: 0, pending: 0 });
    assert.match(messages.join('\n'), /100 event\(s\) dropped: shutdown\(\) deadline passed/);
    assert.match(messages.join('\n'), /150 more event\(s\) dropped: shutdown\(\) deadline passed/);
    assert.equal(clock.timers(), 0, 'no timer left behind');

    // A drain that succeeds is not held up by the deadline, and clears it.
    const quick = virtualClock();
    const t2 = client(fakeServer().fetch, {}, quick.runtime);
    t2.track(result(1));
    assert.equal(await quick.settle(t2.shutdown()), 0);
    assert.deepEqual(t2.stats(), { sent: 1, dropped: 0, failed: 0, sampledOut: 0, pending: 0 });
    assert.equal(quick.timers(), 0, 'the deadline timer is cleared');
  });

  it('shutdown({ timeoutMs }) aborts a request that never answers (even one ignoring its signal); Infinity waits', async () => {
    const signals: AbortSignal[] = [];
    const neverAnswers = ((_url: RequestInfo | URL, init?: RequestInit) => {
      signals.push(init!.signal!);
      return new Promise<Response>(() => {});
    }) as typeof globalThis.fetch;
    const clock = virtualClock({ requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS });
    const t = client(neverAnswers, {}, clock.runtime);
    for (let i = 0; i < 3; i++) t.track(result(i));
    const took = await clock.settle(t.shutdown({ timeoutMs: 2_000 }));
    assert.equal(took, 2_000);
    assert.equal(signals.length, 1);
    assert.equal(signals[0]!.aborted, true, 'the request in flight is aborted');
    assert.deepEqual(t.stats(), { sent: 0, dropped: 3, failed: 0, sampledOut: 0, pending: 0 });

    // timeoutMs: Infinity waits out every retry, here past the default deadline (0.5 + 1 + 2 + 4 + 8 s of backoff).
    const server = fakeServer((_c, i) => (i < 5 ? new TypeError('fetch failed') : accepted()));
    const patient = virtualClock();
    const t2 = client(server.fetch, {}, patient.runtime);
    for (let i = 0; i < 150; i++) t2.track(result(i));
    const waited = await patient.settle(t2.shutdown({ timeoutMs: Number.POSITIVE_INFINITY }));
    assert.ok(waited !== undefined && waited > DEFAULT_SHUTDOWN_TIMEOUT_MS, `waited ${waited} ms`);
    assert.deepEqual(t2.stats(), { sent: 150, dropped: 0, failed: 0, sampledOut: 0, pending: 0 });
  });

  it('refuses a bad timeoutMs without shutting down', async () => {
    const server = fakeServer();
    const t = client(server.fetch);
    for (const timeoutMs of [-1, Number.NaN, 2 ** 31, '5' as unknown as number]) {
      await assert.rejects(t.shutdown({ timeoutMs }), TypeError, String(timeoutMs));
    }
    t.track(result(1));
    await t.shutdown({ timeoutMs: 0 });
    assert.equal(t.stats().pending, 0);
  });

  it('flush() with nothing tracked resolves at once', async () => {
    const server = fakeServer();
    const t = client(server.fetch);
    await t.flush();
    await t.shutdown();
    assert.equal(server.calls.length, 0);
  });
});

describe('PectaTelemetry: options', () => {
  it('refuses bad options at construction', () => {
    const fetch = fakeServer().fetch;
    const bad: Array<Partial<TelemetryOptions>> = [
      { apiKey: 'pk_test_123' },
      { apiKey: 'sk_live_short' },
      { secretKey: PK },
      { endpoint: 'localhost:8787' },
      { endpoint: 'ftp://pecta.example' },
      { endpoint: 'https://user:pw@pecta.example' },
      { sampleRate: 1.5 },
      { sampleRate: Number.NaN },
      { flushIntervalMs: 0 },
      { flushIntervalMs: Number.POSITIVE_INFINITY },
      { maxBatch: 0 },
      { maxBatch: 101 },
      { maxBatch: 2.5 },
      { maxBuffer: 0 },
      { maxRetries: -1 },
      { fetch: 'fetch' as unknown as typeof globalThis.fetch },
      { onError: 'log' as unknown as () => void },
    ];
    for (const options of bad) {
      assert.throws(() => new PectaTelemetry({ apiKey: PK, fetch, ...options }), TypeError, JSON.stringify(options));
    }
    assert.throws(() => new PectaTelemetry(undefined as unknown as TelemetryOptions), TypeError);
  });

  it('accepts a secret key as the Bearer key and the documented defaults', () => {
    const t = new PectaTelemetry({ apiKey: SK });
    assert.deepEqual(t.stats(), { sent: 0, dropped: 0, failed: 0, sampledOut: 0, pending: 0 });
  });
});
