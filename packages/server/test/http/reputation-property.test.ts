import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { reputationOf, windowLatency } from '../../src/reputation.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { propertyRuns } from '../helpers/property.js';

let t: TestApp;
before(async () => {
  t = await makeTestApp({ defaultRateLimit: 1_000_000, ingestRateLimit: 1_000_000 });
});
after(async () => {
  await t.close();
});

const AGENTS = 4;
const OUTPUTS = ['A perfectly fine answer.', 'mail me: someone@example.org', "I'm sorry, but I can't help with that.", '', 'rm -rf / --no-preserve-root'];

interface Evaluate {
  kind: 'evaluate';
  agent: number;
  output: number;
  latency_ms: number | null;
}
interface Ingest {
  kind: 'ingest';
  events: Array<{
    agent: number;
    passed: boolean;
    latency: { latency_ms: number } | { total_latency_ms: number } | Record<string, never>;
    eventId: number | null;
    gates: 'none' | 'a failing gate with a latency' | 'a passing gate without one';
  }>;
}

const evaluate: fc.Arbitrary<Evaluate> = fc.record({
  kind: fc.constant('evaluate'),
  agent: fc.nat({ max: AGENTS - 1 }),
  output: fc.nat({ max: OUTPUTS.length - 1 }),
  latency_ms: fc.option(fc.integer({ min: 0, max: 299 }), { nil: null }),
});
const ingest: fc.Arbitrary<Ingest> = fc.record({
  kind: fc.constant('ingest'),
  events: fc.array(
    fc.record({
      agent: fc.nat({ max: AGENTS - 1 }),
      passed: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      // The agent's latency, the gates' total, or none at all (2 : 2 : 1), which the window leaves out of the average.
      latency: fc.oneof(
        { weight: 2, arbitrary: fc.record({ latency_ms: fc.double({ min: 0, max: 200, noNaN: true }) }) },
        { weight: 2, arbitrary: fc.record({ total_latency_ms: fc.double({ min: 0, max: 5, noNaN: true }) }) },
        { weight: 1, arbitrary: fc.constant({}) },
      ),
      // Some repeats of earlier ids, which must not count twice.
      eventId: fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: fc.nat({ max: 199 }) }),
      // Gates without a latency give no estimate of the total.
      gates: fc.oneof(
        { weight: 10, arbitrary: fc.constant('none' as const) },
        { weight: 1, arbitrary: fc.constant('a failing gate with a latency' as const) },
        { weight: 1, arbitrary: fc.constant('a passing gate without one' as const) },
      ),
    }),
    { minLength: 1, maxLength: 30, size: 'max' },
  ),
});
const GATES = {
  none: {},
  'a failing gate with a latency': { gates: [{ name: 'g', passed: false, latency_ms: 1 }] },
  'a passing gate without one': { gates: [{ name: 'g', passed: true }] },
} as const;

describe('reputation stays exact under concurrent writers', () => {
  it('after any interleaving of concurrent evaluate and ingest calls', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof({ weight: 2, arbitrary: evaluate }, { weight: 3, arbitrary: ingest }), { maxLength: 160, size: 'max' }), async (calls) => {
        // Agents and event ids of their own per run, so that no run (shrinking replays many) sees another's events.
        const prefix = `prop-${process.pid}-${++run}`;
        const agents = Array.from({ length: AGENTS }, (_, i) => `${prefix}-${i}`);
        const responses = (await Promise.all(
          calls.map((call) =>
            call.kind === 'evaluate'
              ? t.call('POST', '/v1/evaluate', t.a.pk, {
                  agent_id: agents[call.agent],
                  output: OUTPUTS[call.output],
                  ...(call.latency_ms === null ? {} : { latency_ms: call.latency_ms }),
                })
              : t.call('POST', '/v1/ingest', t.a.pk, {
                  events: call.events.map((e) => ({
                    agent_id: agents[e.agent],
                    passed: e.passed,
                    ...e.latency,
                    ...(e.eventId === null ? {} : { event_id: `${prefix}-e${e.eventId}` }),
                    ...GATES[e.gates],
                  })),
                }),
          ),
        )) as Array<{ statusCode: number }>;
        assert.ok(responses.every((r) => r.statusCode === 200 || r.statusCode === 202));

        for (const agent of agents) {
          const stored = await t.store.agentEventsInOrder(t.a.orgId, agent);
          const window = stored.map((e) => ({ passed: e.passed, latency_ms: windowLatency(e.latency_ms, e.total_latency_ms) }));
          if (stored.length === 0) continue;
          const reputation = await t.call('GET', `/v1/reputation/${agent}`, t.a.pk);
          assert.deepEqual(reputation.json(), { agent_id: agent, ...reputationOf(window) }, agent);
          // Each event's recorded score is the score of the window right after it.
          stored.forEach((e, i) => assert.equal(e.reputation_score, reputationOf(window.slice(0, i + 1)).score, `${agent} event #${i}`));
        }
      }),
      propertyRuns(5),
    );
  });
});
