import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
before(async () => {
  t = await makeTestApp({ defaultRateLimit: 1_000_000, ingestRateLimit: 1_000_000 });
});
after(async () => {
  await t.close();
});

type Case = [label: string, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, headers?: Record<string, string>];

const long = 'x'.repeat(201);
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const gate = { name: 'g', passed: true, latency_ms: 1 };

const CASES: Case[] = [
  // evaluate
  ['evaluate: body is an array', 'POST', '/v1/evaluate', [1, 2]],
  ['evaluate: body is a string', 'POST', '/v1/evaluate', '"hello"'],
  ['evaluate: body is null', 'POST', '/v1/evaluate', 'null'],
  ['evaluate: agent_id number', 'POST', '/v1/evaluate', { agent_id: 42, output: 'x' }],
  ['evaluate: agent_id too long', 'POST', '/v1/evaluate', { agent_id: long, output: 'x' }],
  ['evaluate: agent_id missing', 'POST', '/v1/evaluate', { output: 'x' }],
  ['evaluate: tool too long', 'POST', '/v1/evaluate', { agent_id: 'a', tool: long, output: 'x' }],
  ['evaluate: latency negative', 'POST', '/v1/evaluate', { agent_id: 'a', output: 'x', latency_ms: -1 }],
  ['evaluate: latency over 60000', 'POST', '/v1/evaluate', { agent_id: 'a', output: 'x', latency_ms: 60001 }],
  ['evaluate: latency string', 'POST', '/v1/evaluate', { agent_id: 'a', output: 'x', latency_ms: '5' }],
  ['evaluate: latency NaN literal', 'POST', '/v1/evaluate', '{"agent_id":"a","output":"x","latency_ms":NaN}'],
  ['evaluate: latency 1e999', 'POST', '/v1/evaluate', '{"agent_id":"a","output":"x","latency_ms":1e999}'],
  ['evaluate: unknown field', 'POST', '/v1/evaluate', { agent_id: 'a', output: 'x', extra: 1 }],
  ['evaluate: deep nesting in output', 'POST', '/v1/evaluate', `{"agent_id":"a","output":${deep(5000)}}`],
  ['evaluate: huge body', 'POST', '/v1/evaluate', { agent_id: 'a', output: 'y'.repeat(2 * 1024 * 1024) }],
  ['evaluate: trailing garbage', 'POST', '/v1/evaluate', '{"agent_id":"a","output":"x"} junk'],
  ['evaluate: wrong content type', 'POST', '/v1/evaluate', '{"agent_id":"a","output":"x"}', { 'content-type': 'text/plain' }],
  ['evaluate: no content type', 'POST', '/v1/evaluate', '{"agent_id":"a","output":"x"}', { 'content-type': '' }],
  ['evaluate: __proto__ key', 'POST', '/v1/evaluate', '{"agent_id":"a","output":"x","__proto__":{"admin":true}}'],
  // ingest
  ['ingest: no events', 'POST', '/v1/ingest', { events: [] }],
  ['ingest: events not an array', 'POST', '/v1/ingest', { events: { agent_id: 'a' } }],
  ['ingest: 101 events', 'POST', '/v1/ingest', { events: Array.from({ length: 101 }, () => ({ agent_id: 'a', passed: true })) }],
  ['ingest: 51 gates', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', gates: Array.from({ length: 51 }, (_, i) => ({ ...gate, name: `g${i}` })) }] }],
  ['ingest: gate name too long', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', gates: [{ ...gate, name: long }] }] }],
  ['ingest: gate reason too long', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', gates: [{ ...gate, reason: 'r'.repeat(501) }] }] }],
  ['ingest: gate passed string', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', gates: [{ ...gate, passed: 'yes' }] }] }],
  ['ingest: gate unknown field', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', gates: [{ ...gate, details: { x: 1 } }] }] }],
  ['ingest: passed as string', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', passed: 'true' }] }],
  ['ingest: bad date', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', passed: true, timestamp: 'yesterday' }] }],
  ['ingest: impossible date', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', passed: true, timestamp: '2026-02-30T25:61:00Z' }] }],
  ['ingest: February 30th', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', passed: true, timestamp: '2026-02-30T10:00:00Z' }] }],
  ['ingest: April 31st', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', passed: true, timestamp: '2026-04-31' }] }],
  ['ingest: date without zone', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', passed: true, timestamp: '2026-02-03T10:00:00' }] }],
  ['ingest: numeric timestamp', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', passed: true, timestamp: 1700000000 }] }],
  ['ingest: negative total latency', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', passed: true, total_latency_ms: -3 }] }],
  ['ingest: event_id empty', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', passed: true, event_id: '' }] }],
  ['ingest: event_id too long', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', passed: true, event_id: long }] }],
  ['ingest: unknown top-level field', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', passed: true }], org: 'other' }],
  ['ingest: unknown event field (output)', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', passed: true, output: 'secret' }] }],
  ['ingest: deep nesting', 'POST', '/v1/ingest', `{"events":${deep(100)}}`],
  ['ingest: invalid UTF-8', 'POST', '/v1/ingest', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])],
  ['ingest: huge body', 'POST', '/v1/ingest', { events: [{ agent_id: 'a', passed: true, tool: 'x'.repeat(6 * 1024 * 1024) }] }],
  // events
  ['events: limit 0', 'GET', '/v1/events?limit=0'],
  ['events: limit 101', 'GET', '/v1/events?limit=101'],
  ['events: limit abc', 'GET', '/v1/events?limit=abc'],
  ['events: limit -1', 'GET', '/v1/events?limit=-1'],
  ['events: limit 1.5', 'GET', '/v1/events?limit=1.5'],
  ['events: offset over 100000', 'GET', '/v1/events?offset=100001'],
  ['events: passed yes', 'GET', '/v1/events?passed=yes'],
  ['events: bad from', 'GET', '/v1/events?from=tomorrow'],
  ['events: February 29th of a common year', 'GET', '/v1/events?from=2025-02-29T00:00:00Z'],
  ['events: bad to', 'GET', '/v1/events?to=2026-13-45T00:00:00Z'],
  ['events: unknown param', 'GET', '/v1/events?sort=asc'],
  ['events: repeated param', 'GET', '/v1/events?limit=1&limit=2'],
  ['events: agent_id too long', 'GET', `/v1/events?agent_id=${long}`],
  // reputation / agents / keys
  ['reputation: id too long', 'GET', `/v1/reputation/${long}`],
  ['reputation: bad percent-encoding', 'GET', '/v1/reputation/%E0%A4%A'],
  ['agents: missing agent_id', 'POST', '/v1/agents', {}],
  ['agents: agent_id object', 'POST', '/v1/agents', { agent_id: { $ne: 1 } }],
  ['agents: unknown field', 'POST', '/v1/agents', { agent_id: 'a', org_id: 'x' }],
  ['keys: bad type', 'POST', '/v1/keys', { type: 'admin' }],
  ['keys: label too long', 'POST', '/v1/keys', { type: 'secret', label: 'l'.repeat(101) }],
  ['keys: no body', 'POST', '/v1/keys'],
  ['keys: id too long', 'DELETE', `/v1/keys/${'k'.repeat(65)}`],
];

describe('hostile and malformed requests get a 4xx in the error shape, never a 5xx', () => {
  for (const [label, method, url, body, headers] of CASES) {
    it(label, async () => {
      const key = url.startsWith('/v1/keys') ? t.a.sk : t.a.pk;
      const h = { ...(headers ?? {}) };
      const r = await t.call(method, url, key, body, h);
      assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${label}: got ${r.statusCode} ${r.body.slice(0, 200)}`);
      const json = r.json();
      assert.deepEqual(Object.keys(json).sort(), ['code', 'error', 'status']);
      assert.equal(json.status, r.statusCode);
    });
  }

  it('nothing from the refused requests was recorded', async () => {
    const events = (await t.call('GET', '/v1/events?limit=100', t.a.pk)).json();
    assert.equal(events.count, 0);
  });

  it('random JSON thrown at every route never yields a 5xx', async () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const leaf = () => {
      const r = rand();
      if (r < 0.15) return null;
      if (r < 0.3) return rand() < 0.5;
      if (r < 0.5) return Math.floor(rand() * 2e5) - 1e5;
      if (r < 0.6) return rand() * 1e308 * (rand() < 0.5 ? -1 : 1);
      return ['', 'a', 'agent', 'x'.repeat(300), '2026-01-01T00:00:00Z', 'true', '\u0000', '☃'][Math.floor(rand() * 8)];
    };
    const value = (depth: number): unknown => {
      if (depth > 3 || rand() < 0.4) return leaf();
      if (rand() < 0.5) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
      const keys = ['agent_id', 'output', 'events', 'passed', 'gates', 'name', 'latency_ms', 'timestamp', 'event_id', 'type', 'label', 'tool'];
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 5) }, () => [keys[Math.floor(rand() * keys.length)]!, value(depth + 1)]));
    };
    for (let i = 0; i < 300; i++) {
      const route = (['/v1/evaluate', '/v1/ingest', '/v1/agents', '/v1/keys'] as const)[i % 4]!;
      const body = rand() < 0.5 ? value(0) : { events: [value(1), value(1)] };
      const r = await t.call('POST', route, route === '/v1/keys' ? t.a.sk : t.a.pk, JSON.stringify(body));
      assert.ok(r.statusCode < 500, `${route} ${JSON.stringify(body).slice(0, 300)} → ${r.statusCode} ${r.body}`);
    }
  });
});
