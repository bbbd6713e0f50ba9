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

describe('GET /health', () => {
  it('answers ok with the version, without auth', async () => {
    const r = await t.call('GET', '/health', null);
    assert.equal(r.statusCode, 200);
    assert.deepEqual(Object.keys(r.json()).sort(), ['status', 'version']);
    assert.equal(r.json().status, 'ok');
    assert.match(r.json().version, /^\d+\.\d+\.\d+/);
  });
});

describe('POST /v1/evaluate', () => {
  it('passes a clean output and answers in the seed shape', async () => {
    const r = await t.call('POST', '/v1/evaluate', t.a.pk, {
      agent_id: 'summarizer-v2',
      tool: 'generate_summary',
      output: 'The quarterly earnings report shows a 12% increase in revenue.',
      latency_ms: 340,
    });
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.deepEqual(Object.keys(body).sort(), ['evaluation_id', 'gates', 'passed', 'reputation', 'total_latency_ms']);
    assert.equal(body.passed, true);
    assert.deepEqual(body.gates.map((g: { name: string }) => g.name), ['filesystem', 'pii', 'content', 'commands']);
    for (const g of body.gates) {
      assert.equal(g.passed, true);
      assert.equal(typeof g.latency_ms, 'number');
    }
    assert.match(body.evaluation_id, /^ev_/);
    assert.deepEqual(body.reputation, {
      // 1 evaluation, passed, latency 340 ms (latency score 0), streak 1, volume 1/500:
      // floor(400 + 0 + 200/50 + 150/500) = floor(404.3) = 404
      score: 404,
      status: 'calibrating',
      evaluations: 1,
      passed: 1,
      pass_rate: 1,
      avg_latency_ms: 340,
      streak: 1,
    });
  });

  it('fails on an email address with a reason that does not quote it, and resets the streak', async () => {
    const r = await t.call('POST', '/v1/evaluate', t.a.pk, {
      agent_id: 'summarizer-v2',
      output: { text: 'Contact me at jane.doe@corp.example.com for details' },
      latency_ms: 300,
    });
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.passed, false);
    const pii = body.gates.find((g: { name: string }) => g.name === 'pii');
    assert.equal(pii.passed, false);
    assert.match(pii.reason, /email/);
    assert.ok(!r.body.includes('jane.doe'), 'the response must not echo the payload');
    assert.equal(body.reputation.evaluations, 2);
    assert.equal(body.reputation.passed, 1);
    assert.equal(body.reputation.streak, 0);
    assert.equal(body.reputation.pass_rate, 0.5);
  });

  it('never stores input, output or details', async () => {
    const secret = 'ultra-secret-marker-4f2a';
    await t.call('POST', '/v1/evaluate', t.a.pk, { agent_id: 'boundary', input: { q: secret }, output: `${secret} sk-proj-${'a'.repeat(40)}` });
    const events = (await t.call('GET', '/v1/events?agent_id=boundary', t.a.pk)).body;
    assert.ok(!events.includes(secret));
    const { readFileSync, readdirSync } = await import('node:fs');
    for (const f of readdirSync(t.dir)) {
      const bytes = readFileSync(`${t.dir}/${f}`);
      assert.ok(!bytes.includes(Buffer.from(secret)), `${f} contains the payload`);
    }
  });

  it('accepts null output (present) but not a missing one', async () => {
    const ok = await t.call('POST', '/v1/evaluate', t.a.pk, { agent_id: 'nulls', output: null });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().passed, false, 'null output is empty content');
    const missing = await t.call('POST', '/v1/evaluate', t.a.pk, { agent_id: 'nulls' });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().code, 'validation_error');
    assert.match(missing.json().error, /output/);
  });
});

describe('POST /v1/ingest', () => {
  it('answers 202 with one reputation update per distinct agent, in batch order', async () => {
    const r = await t.call('POST', '/v1/ingest', t.a.pk, {
      events: [
        { agent_id: 'ing-1', passed: true, total_latency_ms: 10 },
        { agent_id: 'ing-2', gates: [{ name: 'pii', passed: false, latency_ms: 1, reason: 'email address detected in output' }] },
        { agent_id: 'ing-1', gates: [{ name: 'x', passed: true, latency_ms: 2 }, { name: 'y', passed: false, skipped: true, latency_ms: 1 }], latency_ms: 20 },
      ],
    });
    assert.equal(r.statusCode, 202);
    const body = r.json();
    assert.equal(body.accepted, 3);
    assert.equal(body.duplicates, 0);
    assert.deepEqual(body.reputation_updates.map((u: { agent_id: string }) => u.agent_id), ['ing-1', 'ing-2']);
    assert.deepEqual(Object.keys(body.reputation_updates[0]).sort(), ['agent_id', 'evaluations', 'score', 'status']);
    assert.equal(body.reputation_updates[0].evaluations, 2);
    const rep1 = (await t.call('GET', '/v1/reputation/ing-1', t.a.pk)).json();
    // Derived verdict: a skipped gate counts as passing.
    assert.equal(rep1.passed, 2);
    // avg latency: 10 (total_latency_ms, no latency_ms) and 20 (latency_ms) → 15
    assert.equal(rep1.avg_latency_ms, 15);
    const rep2 = (await t.call('GET', '/v1/reputation/ing-2', t.a.pk)).json();
    assert.equal(rep2.passed, 0);
  });

  it('accepts a repeated event_id without counting it again', async () => {
    const batch = { events: [{ agent_id: 'dedup', passed: true, event_id: 'evt-1' }, { agent_id: 'dedup', passed: true, event_id: 'evt-2' }] };
    const first = await t.call('POST', '/v1/ingest', t.a.pk, batch);
    assert.equal(first.json().duplicates, 0);
    const again = await t.call('POST', '/v1/ingest', t.a.pk, batch);
    assert.equal(again.statusCode, 202);
    assert.equal(again.json().accepted, 2);
    assert.equal(again.json().duplicates, 2);
    assert.equal(again.json().reputation_updates[0].evaluations, 2);
  });

  it('estimates a missing total latency as the slowest gate (they run in parallel)', async () => {
    await t.call('POST', '/v1/ingest', t.a.pk, {
      events: [{ agent_id: 'est', gates: [{ name: 'a', passed: true, latency_ms: 3 }, { name: 'b', passed: true, latency_ms: 7 }] }],
    });
    const e = (await t.call('GET', '/v1/events?agent_id=est', t.a.pk)).json().events[0];
    assert.equal(e.total_latency_ms, 7);
    assert.equal(e.latency_ms, null);
    assert.equal((await t.call('GET', '/v1/reputation/est', t.a.pk)).json().avg_latency_ms, 7);
  });

  it('leaves an event without any latency out of the average, and estimates only from gates that reported one', async () => {
    const r = await t.call('POST', '/v1/ingest', t.a.pk, {
      events: [
        { agent_id: 'untimed', passed: true, latency_ms: 40 },
        { agent_id: 'untimed', passed: true },
        // Gates without latency_ms are stored at 0 ms; they are not evidence of a 0 ms total.
        { agent_id: 'untimed', gates: [{ name: 'a', passed: true }, { name: 'b', passed: true }] },
        { agent_id: 'untimed', gates: [{ name: 'a', passed: true }, { name: 'b', passed: true, latency_ms: 20 }] },
      ],
    });
    assert.equal(r.statusCode, 202);
    const events = (await t.call('GET', '/v1/events?agent_id=untimed', t.a.pk)).json().events;
    assert.deepEqual(events.map((e: { total_latency_ms: number | null }) => e.total_latency_ms), [20, null, null, null]);
    const rep = (await t.call('GET', '/v1/reputation/untimed', t.a.pk)).json();
    // Mean of 40 and 20 over the two timed events; 4 passes: 400 + (1 - 30/100)*250 = 175 + 16 + 1.2 → 592.
    assert.deepEqual([rep.avg_latency_ms, rep.score], [30, 592]);
    const alone = await t.call('POST', '/v1/ingest', t.a.pk, { events: [{ agent_id: 'never-timed', passed: true }] });
    assert.equal(alone.json().reputation_updates[0].score, 404, 'no latency earns no latency points: 400 + 0 + 4 + 0.3');
    assert.equal((await t.call('GET', '/v1/reputation/never-timed', t.a.pk)).json().avg_latency_ms, 0);
  });

  it('accepts a leap day and a date-only timestamp (midnight UTC)', async () => {
    const r = await t.call('POST', '/v1/ingest', t.a.pk, { events: [{ agent_id: 'leap', passed: true, timestamp: '2024-02-29' }] });
    assert.equal(r.statusCode, 202);
    assert.equal((await t.call('GET', '/v1/events?agent_id=leap', t.a.pk)).json().events[0].created_at, '2024-02-29T00:00:00.000Z');
  });

  it('records the given timestamp', async () => {
    await t.call('POST', '/v1/ingest', t.a.pk, { events: [{ agent_id: 'stamped', passed: true, timestamp: '2026-01-02T03:04:05.678Z' }] });
    const e = (await t.call('GET', '/v1/events?agent_id=stamped', t.a.pk)).json().events[0];
    assert.equal(e.created_at, '2026-01-02T03:04:05.678Z');
  });

  it('refuses an event with neither passed nor gates, and timestamps far in the future', async () => {
    const r = await t.call('POST', '/v1/ingest', t.a.pk, { events: [{ agent_id: 'x' }] });
    assert.equal(r.statusCode, 400);
    assert.match(r.json().error, /events\.0\.passed/);
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const f = await t.call('POST', '/v1/ingest', t.a.pk, { events: [{ agent_id: 'x', passed: true, timestamp: future }] });
    assert.equal(f.statusCode, 400);
    assert.match(f.json().error, /events\.0\.timestamp/);
  });
});

describe('GET /v1/events', () => {
  it('lists newest first with every documented field', async () => {
    const r = await t.call('GET', '/v1/events?limit=5', t.a.pk);
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.deepEqual(Object.keys(body).sort(), ['count', 'events', 'limit', 'next_cursor', 'offset']);
    assert.equal(body.limit, 5);
    assert.equal(body.offset, 0);
    assert.equal(body.count, body.events.length);
    const e = body.events[0];
    assert.deepEqual(Object.keys(e).sort(), [
      'agent_id', 'created_at', 'evaluation_id', 'gates', 'latency_ms', 'passed', 'reputation_score', 'tool_name', 'total_latency_ms',
    ]);
    const times = body.events.map((x: { created_at: string }) => Date.parse(x.created_at));
    assert.deepEqual([...times].sort((a, b) => b - a), times);
  });

  it('filters by agent, outcome and an inclusive time range, and pages', async () => {
    const base = Date.parse('2025-06-01T00:00:00.000Z');
    const events = Array.from({ length: 7 }, (_, i) => ({
      agent_id: 'pager',
      passed: i % 2 === 0,
      timestamp: new Date(base + i * 1000).toISOString(),
    }));
    await t.call('POST', '/v1/ingest', t.a.pk, { events });
    const all = (await t.call('GET', '/v1/events?agent_id=pager&limit=100', t.a.pk)).json();
    assert.equal(all.count, 7);
    const failed = (await t.call('GET', '/v1/events?agent_id=pager&passed=false', t.a.pk)).json();
    assert.equal(failed.count, 3);
    assert.ok(failed.events.every((e: { passed: boolean }) => !e.passed));
    const from = new Date(base + 2000).toISOString();
    const to = new Date(base + 4000).toISOString();
    const ranged = (await t.call('GET', `/v1/events?agent_id=pager&from=${from}&to=${to}`, t.a.pk)).json();
    assert.deepEqual(ranged.events.map((e: { created_at: string }) => e.created_at), [to, new Date(base + 3000).toISOString(), from]);
    const p1 = (await t.call('GET', '/v1/events?agent_id=pager&limit=3&offset=0', t.a.pk)).json();
    const p3 = (await t.call('GET', '/v1/events?agent_id=pager&limit=3&offset=6', t.a.pk)).json();
    assert.equal(p1.count, 3);
    assert.equal(p3.count, 1, 'count < limit marks the last page');
    assert.equal(p3.events[0].created_at, new Date(base).toISOString());
  });
});

describe('GET /v1/reputation/:agentId', () => {
  it('answers zeros and status new for an agent never seen', async () => {
    const r = await t.call('GET', '/v1/reputation/nobody-here', t.a.pk);
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), {
      agent_id: 'nobody-here', score: 0, evaluations: 0, passed: 0, pass_rate: 0, avg_latency_ms: 0, streak: 0, status: 'new',
    });
  });
  it('decodes URL-encoded agent ids', async () => {
    await t.call('POST', '/v1/ingest', t.a.pk, { events: [{ agent_id: 'team/agent one', passed: true }] });
    const r = await t.call('GET', `/v1/reputation/${encodeURIComponent('team/agent one')}`, t.a.pk);
    assert.equal(r.json().evaluations, 1);
  });
});

describe('/v1/agents', () => {
  it('registers idempotently with 201 and lists most recently seen first', async () => {
    const r1 = await t.call('POST', '/v1/agents', t.a.pk, { agent_id: 'content-classifier' });
    assert.equal(r1.statusCode, 201);
    assert.deepEqual(r1.json(), { agent_id: 'content-classifier', ok: true });
    const r2 = await t.call('POST', '/v1/agents', t.a.pk, { agent_id: 'content-classifier' });
    assert.equal(r2.statusCode, 201);
    const list = (await t.call('GET', '/v1/agents', t.a.pk)).json().agents;
    const entry = list.find((a: { agent_id: string }) => a.agent_id === 'content-classifier');
    assert.deepEqual(Object.keys(entry).sort(), ['agent_id', 'eval_count', 'evaluations', 'first_seen', 'last_seen', 'score', 'status']);
    assert.equal(entry.eval_count, 0);
    const seen = list.map((a: { last_seen: string }) => Date.parse(a.last_seen));
    assert.deepEqual([...seen].sort((x, y) => y - x), seen);
  });

  it('moves first_seen back for an ingested event stamped in the past, and keeps last_seen at the latest evaluation', async () => {
    await t.call('POST', '/v1/ingest', t.a.pk, { events: [{ agent_id: 'backfill', passed: true, timestamp: '2026-03-01T00:00:00Z' }] });
    await t.call('POST', '/v1/ingest', t.a.pk, { events: [{ agent_id: 'backfill', passed: true, timestamp: '2025-12-24T08:00:00Z' }] });
    const entry = (await t.call('GET', '/v1/agents', t.a.pk)).json().agents.find((a: { agent_id: string }) => a.agent_id === 'backfill');
    const rep = (await t.call('GET', '/v1/reputation/backfill', t.a.pk)).json();
    assert.deepEqual(entry, {
      agent_id: 'backfill',
      first_seen: '2025-12-24T08:00:00.000Z',
      last_seen: '2026-03-01T00:00:00.000Z',
      eval_count: 2,
      score: rep.score,
      status: 'calibrating',
      evaluations: 2,
    });
  });
});

describe('/v1/keys (admin)', () => {
  it('creates a key shown once, lists without secrets, revokes, and the revoked key stops working', async () => {
    const created = await t.call('POST', '/v1/keys', t.a.sk, { type: 'publishable', label: 'ci' });
    assert.equal(created.statusCode, 201);
    const k = created.json();
    assert.match(k.key, /^pk_live_[A-Za-z0-9]{32}$/);
    assert.equal(k.label, 'ci');
    assert.equal(k.revoked, false);
    assert.equal((await t.call('GET', '/v1/agents', k.key)).statusCode, 200);

    const list = await t.call('GET', '/v1/keys', t.a.sk);
    assert.equal(list.statusCode, 200);
    assert.ok(!list.body.includes(k.key), 'listing must never contain a key');
    assert.ok(!list.body.includes(t.a.sk));
    const listed = list.json().keys.find((x: { id: string }) => x.id === k.id);
    assert.equal(listed.hint, k.hint);
    assert.ok(k.hint.length < 20);

    const revoked = await t.call('DELETE', `/v1/keys/${k.id}`, t.a.sk);
    assert.equal(revoked.statusCode, 200);
    assert.equal(revoked.json().revoked, true);
    const after = await t.call('GET', '/v1/agents', k.key);
    assert.equal(after.statusCode, 401);
    assert.equal(after.json().code, 'auth_revoked');
    const again = await t.call('DELETE', `/v1/keys/${k.id}`, t.a.sk);
    assert.equal(again.statusCode, 200, 'revoking twice is idempotent');
  });
  it('404s an unknown key id', async () => {
    const r = await t.call('DELETE', '/v1/keys/key_doesnotexist', t.a.sk);
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().code, 'not_found');
  });
});

describe('GET /openapi.json', () => {
  it('documents every route from the validating schemas', async () => {
    const r = await t.call('GET', '/openapi.json', null);
    assert.equal(r.statusCode, 200);
    const doc = r.json();
    assert.match(doc.openapi, /^3\./);
    for (const path of ['/v1/evaluate', '/v1/ingest', '/v1/events', '/v1/reputation/{agentId}', '/v1/agents', '/v1/keys', '/v1/keys/{id}', '/v1/org', '/health']) {
      assert.ok(doc.paths[path], `missing ${path}`);
    }
    const body = doc.paths['/v1/ingest'].post.requestBody.content['application/json'].schema;
    assert.equal(body.properties.events.maxItems, 100);
    assert.ok(doc.paths['/v1/events'].get.parameters.some((p: { name: string }) => p.name === 'agent_id'));
  });
});
