import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
before(async () => {
  t = await makeTestApp();
});
after(async () => {
  await t.close();
});

describe('organisations are isolated on every route', () => {
  it('the same agent id in two organisations never mixes', async () => {
    await t.call('POST', '/v1/evaluate', t.a.pk, { agent_id: 'shared-name', output: 'fine output' });
    await t.call('POST', '/v1/ingest', t.a.pk, { events: [{ agent_id: 'shared-name', passed: true, event_id: 'same-id' }, { agent_id: 'only-a', passed: false }] });
    await t.call('POST', '/v1/agents', t.a.pk, { agent_id: 'registered-a' });

    // B sees none of A's agents, events or reputation.
    const bAgents = (await t.call('GET', '/v1/agents', t.b.pk)).json().agents;
    assert.deepEqual(bAgents, []);
    assert.equal((await t.call('GET', '/v1/events', t.b.pk)).json().count, 0);
    assert.equal((await t.call('GET', '/v1/events?agent_id=only-a', t.b.pk)).json().count, 0);
    const bRep = (await t.call('GET', '/v1/reputation/shared-name', t.b.pk)).json();
    assert.equal(bRep.evaluations, 0);
    assert.equal(bRep.status, 'new');

    // B's writes with the same agent id and event_id are B's own: counted, not deduplicated against A.
    const ingest = await t.call('POST', '/v1/ingest', t.b.pk, { events: [{ agent_id: 'shared-name', passed: false, event_id: 'same-id' }] });
    assert.equal(ingest.json().duplicates, 0);
    assert.equal((await t.call('GET', '/v1/reputation/shared-name', t.a.pk)).json().evaluations, 2);
    assert.equal((await t.call('GET', '/v1/reputation/shared-name', t.b.pk)).json().evaluations, 1);
    assert.equal((await t.call('GET', '/v1/events', t.a.pk)).json().count, 3);
    assert.equal((await t.call('GET', '/v1/events', t.b.pk)).json().count, 1);
    const aAgents = (await t.call('GET', '/v1/agents', t.a.pk)).json().agents.map((x: { agent_id: string }) => x.agent_id).sort();
    assert.deepEqual(aAgents, ['only-a', 'registered-a', 'shared-name']);
  });

  it("keys: B cannot list, revoke or use A's keys", async () => {
    const aKeys = (await t.call('GET', '/v1/keys', t.a.sk)).json().keys;
    const bKeys = (await t.call('GET', '/v1/keys', t.b.sk)).json().keys;
    const aIds = new Set(aKeys.map((k: { id: string }) => k.id));
    assert.ok(bKeys.every((k: { id: string }) => !aIds.has(k.id)));
    for (const k of aKeys) {
      const r = await t.call('DELETE', `/v1/keys/${k.id}`, t.b.sk);
      assert.equal(r.statusCode, 404);
    }
    // A's keys still work.
    assert.equal((await t.call('GET', '/v1/agents', t.a.pk)).statusCode, 200);
    assert.equal((await t.call('GET', '/v1/keys', t.a.sk)).json().keys.filter((k: { revoked: boolean }) => k.revoked).length, 0);
  });
});
