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

/**
 * JSON can spell a lone UTF-16 surrogate (`"\ud800"`), which has no UTF-8 form: stored, each one becomes U+FFFD, so
 * `"\ud800"`, `"\udc00"` and `"\ud801"` would all be one agent that no request could name again. Bodies are written as
 * JSON text here, since JSON.stringify would escape them the same way.
 */
describe('identifiers must be well-formed Unicode', () => {
  const LONE = ['\\ud800', '\\udc00', '\\ud801', 'a\\udfffb', '\\ude00\\ud83d'];

  function assertRefused(r: { statusCode: number; json(): { error: string; code: string; status: number } }, field: string): void {
    assert.equal(r.statusCode, 400, JSON.stringify(r.json()));
    const body = r.json();
    assert.equal(body.code, 'validation_error');
    assert.ok(body.error.startsWith(`${field}: `), body.error);
    assert.match(body.error, /well-formed Unicode/);
  }

  it('refuses a lone surrogate in agent_id on every route that takes one', async () => {
    for (const id of LONE) {
      assertRefused(await t.call('POST', '/v1/agents', t.a.pk, `{"agent_id":"${id}"}`), 'agent_id');
      assertRefused(await t.call('POST', '/v1/evaluate', t.a.pk, `{"agent_id":"${id}","output":"x"}`), 'agent_id');
      assertRefused(await t.call('POST', '/v1/ingest', t.a.pk, `{"events":[{"agent_id":"${id}","passed":true}]}`), 'events.0.agent_id');
    }
    const agents = (await t.call('GET', '/v1/agents', t.a.pk)).json();
    assert.deepEqual(agents.agents, [], 'nothing was registered or recorded');
  });

  it('refuses a lone surrogate in tool, gate names and event_id', async () => {
    assertRefused(await t.call('POST', '/v1/evaluate', t.a.pk, '{"agent_id":"a","tool":"t\\ud800","output":"x"}'), 'tool');
    assertRefused(await t.call('POST', '/v1/ingest', t.a.pk, '{"events":[{"agent_id":"a","tool":"\\udc00","passed":true}]}'), 'events.0.tool');
    assertRefused(
      await t.call('POST', '/v1/ingest', t.a.pk, '{"events":[{"agent_id":"a","gates":[{"name":"g\\udbff","passed":true}]}]}'),
      'events.0.gates.0.name',
    );
    assertRefused(await t.call('POST', '/v1/ingest', t.a.pk, '{"events":[{"agent_id":"a","passed":true,"event_id":"\\ud800"}]}'), 'events.0.event_id');
  });

  it('accepts surrogate pairs: an emoji is one well-formed character', async () => {
    const r = await t.call('POST', '/v1/agents', t.a.pk, '{"agent_id":"bot-\\ud83d\\ude00"}');
    assert.equal(r.statusCode, 201, r.body);
    const rep = await t.call('GET', `/v1/reputation/${encodeURIComponent('bot-😀')}`, t.a.pk);
    assert.equal(rep.json().agent_id, 'bot-😀');
  });
});
