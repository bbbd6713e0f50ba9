import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeCursor, encodeCursor } from '../../src/http/event-cursor.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

describe('the events cursor', () => {
  it('round-trips a position and refuses anything it did not issue', () => {
    const position = { created_at: 1_767_000_000_123, seq: 98_765 };
    assert.deepEqual(decodeCursor(encodeCursor(position)), position);
    for (const bad of ['', 'abc', encodeCursor(position) + '=', Buffer.from('c1.1.x').toString('base64url'), Buffer.from('c2.1.2').toString('base64url'), 'a'.repeat(81), Buffer.from(`c1.${'9'.repeat(17)}.1`).toString('base64url')]) {
      assert.equal(decodeCursor(bad), null, bad);
    }
  });
});

describe('GET /v1/events with cursors', () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp();
    const events = Array.from({ length: 23 }, (_, i) => ({
      agent_id: i % 2 ? 'odd' : 'even',
      passed: i % 3 !== 0,
      timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 7)).toISOString(),
    }));
    assert.equal((await t.call('POST', '/v1/ingest', t.a.pk, { events })).statusCode, 202);
  });
  after(() => t.close());

  const ids = (body: { events: Array<{ evaluation_id: string }> }) => body.events.map((e) => e.evaluation_id);

  it('walks every filter to the same events as one big page, ending with next_cursor null', async () => {
    for (const filter of ['', '&agent_id=odd', '&passed=false', '&agent_id=even&passed=true&from=2026-01-01T00:00:02Z']) {
      const all = (await t.call('GET', `/v1/events?limit=100${filter}`, t.a.pk)).json();
      assert.equal(all.next_cursor, null, 'a short page is the last');
      const walked: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 20; pages++) {
        const url: string = `/v1/events?limit=4${filter}${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await t.call('GET', url, t.a.pk)).json();
        walked.push(...ids(page));
        cursor = page.next_cursor;
        if (cursor === null) break;
        assert.equal(page.count, 4);
      }
      assert.deepEqual(walked, ids(all), filter);
    }
  });

  it('hands out a cursor with an offset page too, which continues where it ended', async () => {
    const all = ids((await t.call('GET', '/v1/events?limit=100', t.a.pk)).json());
    const byOffset = (await t.call('GET', '/v1/events?limit=5&offset=10', t.a.pk)).json();
    assert.deepEqual(ids(byOffset), all.slice(10, 15));
    const next = (await t.call('GET', `/v1/events?limit=5&cursor=${byOffset.next_cursor}`, t.a.pk)).json();
    assert.deepEqual(ids(next), all.slice(15, 20));
  });

  it('refuses a cursor it did not issue, and a cursor with an offset, in the error shape', async () => {
    const bad = await t.call('GET', '/v1/events?cursor=bm9wZQ', t.a.pk);
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { error: 'cursor: is not a next_cursor this server issued', code: 'validation_error', status: 400 });
    const first = (await t.call('GET', '/v1/events?limit=2', t.a.pk)).json();
    const both = await t.call('GET', `/v1/events?limit=2&offset=2&cursor=${first.next_cursor}`, t.a.pk);
    assert.equal(both.statusCode, 400);
    assert.match(both.json().error, /cursor: give either cursor or offset, not both/);
  });

  it('never shows another organisation its events, whatever the cursor', async () => {
    const first = (await t.call('GET', '/v1/events?limit=1', t.a.pk)).json();
    const other = (await t.call('GET', `/v1/events?limit=10&cursor=${first.next_cursor}`, t.b.pk)).json();
    assert.deepEqual(other.events, []);
  });
});
