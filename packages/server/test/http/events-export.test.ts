import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
before(async () => {
  t = await makeTestApp();
});
after(() => t.close());

const lines = (body: string) => body.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);

describe('GET /v1/events/export', () => {
  it('streams every matching event as NDJSON, newest first, across many store pages, with the fields of GET /v1/events', async () => {
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    // 2,350 events: more than two pages of the export's reads.
    for (let batch = 0; batch < 24; batch++) {
      const events = Array.from({ length: batch === 23 ? 50 : 100 }, (_, i) => ({
        agent_id: i % 2 === 0 ? 'even' : 'odd',
        passed: i % 5 !== 0,
        timestamp: new Date(base + (batch * 100 + i) * 1000).toISOString(),
      }));
      assert.equal((await t.call('POST', '/v1/ingest', t.a.pk, { events })).statusCode, 202);
    }
    const r = await t.call('GET', '/v1/events/export', t.a.sk);
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^application\/x-ndjson/);
    const all = lines(r.body);
    assert.equal(all.length, 2350);
    const page = (await t.call('GET', '/v1/events?limit=3', t.a.pk)).json().events;
    assert.deepEqual(all.slice(0, 3), page, 'the same events, in the same shape, as the first page');
    const times = all.map((e) => Date.parse(e.created_at as string));
    assert.ok(times.every((time, i) => i === 0 || time <= times[i - 1]!), 'newest first');
    assert.equal(new Set(all.map((e) => e.evaluation_id)).size, 2350, 'each event once');

    const filtered = lines((await t.call('GET', `/v1/events/export?agent_id=odd&passed=false&from=${new Date(base + 1000_000).toISOString()}`, t.a.sk)).body);
    assert.ok(filtered.length > 0);
    assert.ok(filtered.every((e) => e.agent_id === 'odd' && e.passed === false && Date.parse(e.created_at as string) >= base + 1000_000));
  });

  it('needs a secret key, exports only the caller’s organisation, and refuses unknown filters in the error shape', async () => {
    assert.equal((await t.call('GET', '/v1/events/export', t.a.pk)).statusCode, 403);
    const other = await t.call('GET', '/v1/events/export', t.b.sk);
    assert.equal(other.statusCode, 200);
    assert.equal(other.body, '', 'organisation b has no events');
    const bad = await t.call('GET', '/v1/events/export?limit=5', t.a.sk);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'validation_error');
  });
});
