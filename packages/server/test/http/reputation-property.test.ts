import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { reputationOf, windowLatency } from '../../src/reputation.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
before(async () => {
  t = await makeTestApp({ defaultRateLimit: 1_000_000, ingestRateLimit: 1_000_000 });
});
after(async () => {
  await t.close();
});

describe('reputation stays exact under concurrent writers', () => {
  for (const seed of [1, 7, 42]) {
    it(`random interleaving of evaluate and ingest calls (seed ${seed})`, async () => {
      let s = seed;
      const rand = () => ((s = (s * 48271) % 2147483647) / 2147483647);
      const agents = Array.from({ length: 4 }, (_, i) => `prop-${seed}-${i}`);
      const outputs = ['A perfectly fine answer.', 'mail me: someone@example.org', "I'm sorry, but I can't help with that.", '', 'rm -rf / --no-preserve-root'];
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 160; i++) {
        const agent = agents[Math.floor(rand() * agents.length)]!;
        if (rand() < 0.4) {
          calls.push(
            t.call('POST', '/v1/evaluate', t.a.pk, {
              agent_id: agent,
              output: outputs[Math.floor(rand() * outputs.length)],
              ...(rand() < 0.5 ? { latency_ms: Math.floor(rand() * 300) } : {}),
            }),
          );
        } else {
          const n = 1 + Math.floor(rand() * 30);
          const events = Array.from({ length: n }, (_, j) => ({
            agent_id: rand() < 0.8 ? agent : agents[Math.floor(rand() * agents.length)]!,
            passed: rand() < 0.75,
            // A fifth carry no latency at all, which the window leaves out of the average.
            ...pick(rand(), [{ latency_ms: rand() * 200 }, { total_latency_ms: rand() * 5 }, {}]),
            // Some repeats of earlier ids, which must not count twice.
            ...(rand() < 0.3 ? { event_id: `e-${seed}-${Math.floor(rand() * 200)}` } : {}),
            ...(j % 11 === 5 ? { gates: [{ name: 'g', passed: false, latency_ms: 1 }] } : {}),
            // Gates without a latency give no estimate of the total.
            ...(j % 13 === 7 ? { gates: [{ name: 'g', passed: true }] } : {}),
          }));
          calls.push(t.call('POST', '/v1/ingest', t.a.pk, { events }));
        }
      }
      const responses = (await Promise.all(calls)) as Array<{ statusCode: number }>;
      assert.ok(responses.every((r) => r.statusCode === 200 || r.statusCode === 202));

      for (const agent of agents) {
        const stored = await t.store.agentEventsInOrder(t.a.orgId, agent);
        const expected = reputationOf(stored.map((e) => ({ passed: e.passed, latency_ms: windowLatency(e.latency_ms, e.total_latency_ms) })));
        const actual = (await t.call('GET', `/v1/reputation/${agent}`, t.a.pk)).json();
        assert.deepEqual(actual, { agent_id: agent, ...expected }, agent);
        // Each event's recorded score is the score of the window right after it.
        stored.forEach((e, i) => {
          const prefix = stored.slice(0, i + 1).map((x) => ({ passed: x.passed, latency_ms: windowLatency(x.latency_ms, x.total_latency_ms) }));
          assert.equal(e.reputation_score, reputationOf(prefix).score);
        });
      }
    });
  }
});

/** Latency given as the agent's, as the gates' total, or not at all, in proportions 2 : 2 : 1. */
function pick<T>(r: number, [agent, total, none]: [T, T, T]): T {
  return r < 0.4 ? agent : r < 0.8 ? total : none;
}
