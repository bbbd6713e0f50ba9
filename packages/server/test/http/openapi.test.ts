/**
 * /openapi.json is what a client generator needs, every answer is checked against the schema that documents it, and
 * the dashboard's API types are generated from this document (and current).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_EVENTS_PAGE, MAX_EVENTS_PAGE, MAX_OFFSET } from '@pecta/core/wire';
import { API_TYPES_FILE, apiTypesSource } from '../../scripts/api-types.js';
import { ERROR_CODES } from '../../src/errors.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let doc: any;
before(async () => {
  t = await makeTestApp();
  doc = (await t.call('GET', '/openapi.json', null)).json();
});
after(() => t.close());

describe('GET /openapi.json for client generators', () => {
  it('states limit and offset as integers with their ranges and defaults', () => {
    const parameters = doc.paths['/v1/events'].get.parameters as Array<{ name: string; description?: string; schema: Record<string, unknown> }>;
    const schema = (name: string) => parameters.find((p) => p.name === name)!.schema;
    const description = (name: string) => parameters.find((p) => p.name === name)!.description;
    assert.deepEqual([schema('limit').type, schema('limit').minimum, schema('limit').maximum], ['integer', 1, MAX_EVENTS_PAGE]);
    assert.match(String(description('limit')), new RegExp(`default ${DEFAULT_EVENTS_PAGE}$`));
    assert.deepEqual([schema('offset').type, schema('offset').minimum, schema('offset').maximum], ['integer', 0, MAX_OFFSET]);
  });

  it('lists every error code, and the answers every /v1 route may give, in the error shape', () => {
    assert.deepEqual(doc.components.schemas.Error.properties.code.enum, ERROR_CODES);
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      if (!path.startsWith('/v1/')) continue;
      for (const [method, operation] of Object.entries<any>(item)) {
        const label = `${method.toUpperCase()} ${path}`;
        for (const status of ['401', '429', '500', '503']) {
          assert.equal(operation.responses[status]?.content['application/json'].schema.$ref, '#/components/schemas/Error', `${label} ${status}`);
        }
        assert.ok(operation.responses['429'].headers['Retry-After'], `${label}: 429 says when to retry`);
        assert.ok(operation.responses['503'].headers['Retry-After'], `${label}: 503 says when to retry`);
        const ok = Object.entries<any>(operation.responses).find(([status]) => status.startsWith('2'))![1];
        assert.ok(ok.headers['X-RateLimit-Remaining'], `${label}: the rate-limit headers`);
        const signature = (operation.parameters ?? []).find((p: { name: string }) => p.name === 'X-Pecta-Signature');
        const withBody = ['post', 'put', 'patch'].includes(method);
        assert.equal(signature !== undefined, withBody, `${label}: the signature header goes with bodies`);
        if (withBody) assert.ok(operation.responses['413'], `${label}: 413 for a body over the limit`);
      }
    }
  });

  it('keeps a route’s own answer where it has one', () => {
    assert.ok(doc.paths['/v1/events'].get.responses['200'].content['application/json'].schema);
    assert.equal(doc.paths['/health'].get.responses['429'], undefined, '/health is not rate limited');
  });
});

describe('answers checked against their schemas', () => {
  it('answers 500 internal_error, never a body the document does not describe', async () => {
    const original = t.store.getReputation.bind(t.store);
    t.store.getReputation = async (orgId, agentId) => {
      const found = await original(orgId, agentId);
      return { ...(found ?? { agent_id: agentId, first_seen: 0, last_seen: 0, eval_count: 0, passed: 0, pass_rate: 0, avg_latency_ms: 0, streak: 0, evaluations: 0, status: 'new' }), score: 'high' as unknown as number };
    };
    try {
      const r = await t.call('GET', '/v1/reputation/some-agent', t.a.pk);
      assert.equal(r.statusCode, 500);
      assert.deepEqual(Object.keys(r.json()).sort(), ['code', 'error', 'status']);
      assert.equal(r.json().code, 'internal_error');
      assert.equal(r.body.includes('high'), false, 'the bad value is not echoed');
    } finally {
      t.store.getReputation = original;
    }
  });

  it('sends only the documented fields', async () => {
    const original = t.store.listAgents.bind(t.store);
    t.store.listAgents = async (orgId, limit) => (await original(orgId, limit)).map((a) => ({ ...a, internal_key: 42 }));
    try {
      await t.call('POST', '/v1/agents', t.a.pk, { agent_id: 'listed' });
      const r = await t.call('GET', '/v1/agents', t.a.pk);
      assert.equal(r.statusCode, 200);
      assert.ok(r.json().agents.length > 0);
      for (const agent of r.json().agents) assert.equal('internal_key' in agent, false);
    } finally {
      t.store.listAgents = original;
    }
  });
});

describe('the dashboard’s API types', () => {
  it('are generated from this document, and the committed file is current (npm run api-types)', async () => {
    assert.equal(readFileSync(API_TYPES_FILE, 'utf8'), await apiTypesSource(doc), 'packages/dashboard/src/lib/api-types.gen.ts is stale: run npm run api-types');
  });
});
