import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { truncate } from '../../src/wire/index.js';
import { clampLatency, toIngestEvent, toTimestamp, utf8Length } from '../../src/telemetry/strip.js';
import { backoffDelay, BACKOFF_CAP_MS, MAX_RETRY_AFTER_MS, parseRetryAfter, retryDelay } from '../../src/telemetry/backoff.js';
import { Queue } from '../../src/telemetry/queue.js';

const NOW = Date.parse('2026-05-07T12:00:00.000Z');
let counter = 0;
const newId = () => `generated-${++counter}`;

describe('toIngestEvent', () => {
  it('keeps exactly the ingest fields and nothing else from a result', () => {
    const result = {
      evaluation_id: 'ev_01M89V1K6D2NBWXQKJA3JZ7B5T',
      agent_id: 'support-bot',
      tool: 'reply',
      passed: false,
      gates: [
        { name: 'pii', passed: false, latency_ms: 0.5, reason: 'email address detected in output', details: { match: 'jane@example.com' } },
        { name: 'content', passed: true, latency_ms: 0.2, skipped: false, aborted: false, extra: 'x' },
        { name: 'latency', passed: true, latency_ms: 0, skipped: true, reason: 'no latency' },
        { name: 'slow', passed: false, latency_ms: 50, aborted: true, reason: 'pecta:aborted' },
      ],
      total_latency_ms: 1.25,
      latency_ms: 340,
      created_at: '2026-05-07T11:59:00.000Z',
      input: { prompt: 'SECRET-INPUT' },
      output: 'write to jane@example.com',
      details: 'top-level-details',
    };
    const event = toIngestEvent(result, NOW, newId);
    assert.deepEqual(event, {
      agent_id: 'support-bot',
      tool: 'reply',
      passed: false,
      gates: [
        { name: 'pii', passed: false, latency_ms: 0.5, reason: 'email address detected in output' },
        { name: 'content', passed: true, latency_ms: 0.2 },
        { name: 'latency', passed: true, latency_ms: 0, skipped: true, reason: 'no latency' },
        { name: 'slow', passed: false, latency_ms: 50, aborted: true, reason: 'pecta:aborted' },
      ],
      total_latency_ms: 1.25,
      latency_ms: 340,
      timestamp: '2026-05-07T11:59:00.000Z',
      event_id: 'ev_01M89V1K6D2NBWXQKJA3JZ7B5T',
    });
    const json = JSON.stringify(event);
    for (const secret of ['SECRET-INPUT', 'jane@example.com', 'top-level-details', '"details"', '"input"', '"output"', '"extra"']) {
      assert.ok(!json.includes(secret), `${secret} leaked`);
    }
  });

  it('clamps every field to the ingest limits', () => {
    const event = toIngestEvent(
      {
        evaluation_id: 'e'.repeat(201),
        agent_id: 'a'.repeat(300),
        tool: 't'.repeat(300),
        passed: true,
        gates: Array.from({ length: 60 }, (_, i) => ({ name: `${'g'.repeat(250)}${i}`, passed: true, latency_ms: i % 2 ? -5 : 1e9, reason: 'r'.repeat(2000) })),
        total_latency_ms: Number.POSITIVE_INFINITY,
        latency_ms: Number.NaN,
        created_at: '2026-05-09T12:00:00.000Z',
      },
      NOW,
      newId,
    )!;
    assert.equal(event.agent_id.length, 200);
    assert.equal(event.tool!.length, 200);
    assert.equal(event.gates.length, 50);
    for (const [i, g] of event.gates.entries()) {
      assert.equal(g.name.length, 200);
      assert.equal(g.reason!.length, 500);
      assert.equal(g.latency_ms, i % 2 ? 0 : 60_000);
    }
    assert.equal(event.total_latency_ms, 60_000);
    assert.equal('latency_ms' in event, false, 'NaN latency is left out');
    assert.equal('timestamp' in event, false, 'a timestamp two days ahead is left out');
    assert.match(event.event_id, /^generated-\d+$/, 'an evaluation_id over 200 characters is replaced');
  });

  it('derives a missing verdict like the server and drops gates it cannot describe', () => {
    const derived = toIngestEvent({ agent_id: 'a', gates: [{ name: 'x', passed: true }, { name: 'y', passed: false, skipped: true }] }, NOW, newId)!;
    assert.equal(derived.passed, true);
    const failing = toIngestEvent({ agent_id: 'a', gates: [{ name: 'x', passed: 'yes' }] }, NOW, newId)!;
    assert.equal(failing.passed, false, 'only passed === true passes');
    assert.equal(toIngestEvent({ agent_id: 'a' }, NOW, newId)!.passed, false, 'no verdict and no gates is not a pass');
    const gates = toIngestEvent({ agent_id: 'a', passed: true, gates: [null, 7, { passed: true }, { name: '', passed: true }, { name: 3, passed: true }, { name: 'ok', passed: true }] }, NOW, newId)!.gates;
    assert.deepEqual(gates, [{ name: 'ok', passed: true }]);
    assert.deepEqual(toIngestEvent({ agent_id: 'a', passed: true, gates: 'nope' }, NOW, newId)!.gates, []);
  });

  it('refuses what is not a result with an agent id', () => {
    for (const value of [null, undefined, 42, 'agent', [], {}, { agent_id: '' }, { agent_id: 7 }]) {
      assert.equal(toIngestEvent(value, NOW, newId), null, JSON.stringify(value) ?? 'undefined');
    }
  });

  it('uses the evaluation id as event id and a fresh id when there is none', () => {
    assert.equal(toIngestEvent({ agent_id: 'a', passed: true, evaluation_id: 'ev_1' }, NOW, newId)!.event_id, 'ev_1');
    const a = toIngestEvent({ agent_id: 'a', passed: true }, NOW, newId)!.event_id;
    const b = toIngestEvent({ agent_id: 'a', passed: true, evaluation_id: '' }, NOW, newId)!.event_id;
    assert.notEqual(a, b);
  });
});

describe('strip helpers', () => {
  it('truncate never leaves half of a surrogate pair', () => {
    assert.equal(truncate('ab😀', 3), 'ab');
    assert.equal(truncate('ab😀', 4), 'ab😀');
    assert.equal(truncate('abcd', 2), 'ab');
  });

  it('clampLatency keeps numbers inside 0–60000 and drops non-numbers', () => {
    assert.equal(clampLatency(12.5), 12.5);
    assert.equal(clampLatency(-1), 0);
    assert.equal(clampLatency(Number.NEGATIVE_INFINITY), 0);
    assert.equal(clampLatency(70_000), 60_000);
    assert.equal(clampLatency(Number.NaN), undefined);
    assert.equal(clampLatency('5'), undefined);
  });

  it('toTimestamp normalises to ISO UTC and leaves out what the server would refuse', () => {
    assert.equal(toTimestamp('2026-05-07T14:22:44+02:00', NOW), '2026-05-07T12:22:44.000Z');
    assert.equal(toTimestamp(NOW - 1000, NOW), '2026-05-07T11:59:59.000Z');
    assert.equal(toTimestamp(new Date(NOW), NOW), '2026-05-07T12:00:00.000Z');
    assert.equal(toTimestamp('not a date', NOW), undefined);
    assert.equal(toTimestamp(NOW + 24 * 3600_000, NOW), undefined);
    assert.equal(toTimestamp(Date.UTC(10000, 0, 1) , Date.UTC(10001, 0, 1)), undefined, 'five-digit years');
    assert.equal(toTimestamp(8.64e15 + 1, NOW), undefined);
    assert.equal(toTimestamp({}, NOW), undefined);
  });

  it('utf8Length matches TextEncoder on JSON text', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', JSON.stringify('a\ud800b'), JSON.stringify({ x: 'naïve 😀 €' })]) {
      assert.equal(utf8Length(s), new TextEncoder().encode(s).length, s);
    }
  });
});

describe('backoff', () => {
  it('draws a full-jitter delay under an exponential ceiling capped at 30 s', () => {
    assert.equal(backoffDelay(0, () => 0), 0);
    assert.equal(backoffDelay(0, () => 0.999999), 499);
    assert.equal(backoffDelay(3, () => 0.5), 2000);
    assert.equal(backoffDelay(20, () => 0.999999), BACKOFF_CAP_MS - 1);
    assert.equal(backoffDelay(5000, () => 0.5), BACKOFF_CAP_MS / 2);
  });

  it('reads Retry-After as seconds or an HTTP date, clamped', () => {
    const now = Date.parse('2026-05-07T12:00:00Z');
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Thu, 07 May 2026 12:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Thu, 07 May 2026 11:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('86400', now), MAX_RETRY_AFTER_MS);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-3', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  it('never waits less than Retry-After', () => {
    assert.equal(retryDelay(0, 5000, () => 0.9), 5000);
    assert.equal(retryDelay(10, 1000, () => 0.5), 15_000);
    assert.equal(retryDelay(1, undefined, () => 0.5), 500);
  });
});

describe('Queue', () => {
  it('is FIFO across compactions', () => {
    const q = new Queue<number>();
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) q.push(next++);
      for (let i = 0; i < 70; i++) assert.equal(q.shift(), expected++);
    }
    assert.equal(q.length, next - expected);
    assert.equal(q.peek(), expected);
    assert.deepEqual(q.clear().length, next - expected);
    assert.equal(q.length, 0);
    assert.equal(q.shift(), undefined);
  });
});
