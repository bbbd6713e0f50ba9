import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
before(async () => {
  t = await makeTestApp();
});
after(() => t.close());

describe('DELETE /v1/agents/:agentId', () => {
  it('removes the agent, its events and its reputation, with a secret key of its organisation only', async () => {
    const events = [{ agent_id: 'to go/1', passed: true }, { agent_id: 'to go/1', passed: false }, { agent_id: 'stays', passed: true }];
    assert.equal((await t.call('POST', '/v1/ingest', t.a.pk, { events })).statusCode, 202);
    assert.equal((await t.call('POST', '/v1/ingest', t.b.pk, { events: [{ agent_id: 'to go/1', passed: true }] })).statusCode, 202);
    const path = `/v1/agents/${encodeURIComponent('to go/1')}`;

    const publishable = await t.call('DELETE', path, t.a.pk);
    assert.equal(publishable.statusCode, 403);
    assert.equal(publishable.json().code, 'forbidden');
    const otherOrg = await t.call('DELETE', `/v1/agents/${encodeURIComponent('stays')}`, t.b.sk);
    assert.equal(otherOrg.statusCode, 404, 'another organisation cannot reach it');

    const deleted = await t.call('DELETE', path, t.a.sk);
    assert.equal(deleted.statusCode, 200);
    assert.deepEqual(deleted.json(), { agent_id: 'to go/1', deleted: true, events: 2 });

    const reputation = (await t.call('GET', path.replace('/agents/', '/reputation/'), t.a.pk)).json();
    assert.deepEqual([reputation.evaluations, reputation.status], [0, 'new']);
    const remaining = (await t.call('GET', '/v1/events?limit=100', t.a.pk)).json().events.map((e: { agent_id: string }) => e.agent_id);
    assert.deepEqual(remaining, ['stays']);
    assert.deepEqual((await t.call('GET', '/v1/agents', t.a.pk)).json().agents.map((a: { agent_id: string }) => a.agent_id), ['stays']);
    assert.equal((await t.call('GET', path.replace('/agents/', '/reputation/'), t.b.pk)).json().evaluations, 1, 'org b’s agent of that id stays');

    const again = await t.call('DELETE', path, t.a.sk);
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().code, 'not_found');
  });
});
