/** Agents and events for the browser tests, sent through the public API; returns what the pages must then show. */
import assert from 'node:assert/strict';
import type { TestServer } from './server.js';

interface Gate {
  name: string;
  passed: boolean;
  latency_ms: number;
  reason?: string;
  skipped?: boolean;
}

interface IngestEvent {
  agent_id: string;
  tool: string;
  passed?: boolean;
  gates: Gate[];
  latency_ms: number;
  total_latency_ms: number;
  timestamp: string;
  event_id: string;
}

export const EMAIL_REASON = 'email address detected in output';
export const REFUSAL_REASON = 'refusal detected in output';
export const SKIP_REASON = 'no schema configured for this tool';

export interface Seeded {
  agents: string[];
  /** Failing gates of support-bot by name (over all its events, which all fit in the agent page's 500). */
  supportBotFailures: Record<string, number>;
  totalEvents: number;
  failedEvents: number;
}

function gate(name: string, passed: boolean, reason?: string, skipped = false): Gate {
  return { name, passed, latency_ms: 0.2, ...(reason ? { reason } : {}), ...(skipped ? { skipped } : {}) };
}

export async function seed(t: TestServer): Promise<Seeded> {
  const start = Date.now() - 2 * 86_400_000;
  const events: IngestEvent[] = [];
  const add = (agent_id: string, tool: string, gates: Gate[], latency: number) => {
    const n = events.length;
    events.push({
      agent_id,
      tool,
      gates,
      latency_ms: latency,
      total_latency_ms: 0.6,
      // Arrival order is time order, as with live traffic; 10 minutes apart, all in the past.
      timestamp: new Date(start + n * 10 * 60_000).toISOString(),
      event_id: `seed-${n}`,
    });
  };

  const supportBotFailures: Record<string, number> = {};
  for (let i = 0; i < 130; i++) {
    const pii = i % 4 === 3 ? gate('pii', false, EMAIL_REASON) : gate('pii', true);
    const content = i % 7 === 6 ? gate('content', false, REFUSAL_REASON) : gate('content', true);
    for (const g of [pii, content]) if (!g.passed) supportBotFailures[g.name] = (supportBotFailures[g.name] ?? 0) + 1;
    add('support-bot', 'reply', [gate('filesystem', true), pii, content], 300 + (i % 5) * 100);
  }
  for (let i = 0; i < 60; i++) {
    add('summarizer-v2', 'generate_summary', [gate('filesystem', true), gate('pii', true), gate('schema', true, SKIP_REASON, true)], 20 + (i % 3));
  }
  for (let i = 0; i < 12; i++) add('bid-agent', 'bid', [gate('rtb.bidSanity', true)], 8);

  for (let i = 0; i < events.length; i += 100) {
    const r = await t.api('POST', '/v1/ingest', t.keys.pk, { events: events.slice(i, i + 100) });
    assert.equal(r.status, 202, JSON.stringify(r.json));
  }
  // One live evaluation, gated by the server itself: it becomes support-bot's newest event.
  const live = await t.api('POST', '/v1/evaluate', t.keys.pk, { agent_id: 'support-bot', tool: 'reply', output: 'Mail me at jane.doe@example.com', latency_ms: 450 });
  assert.equal(live.status, 200, JSON.stringify(live.json));
  assert.equal(live.json.passed, false);
  supportBotFailures.pii = (supportBotFailures.pii ?? 0) + 1;

  const registered = await t.api('POST', '/v1/agents', t.keys.pk, { agent_id: 'new-agent' });
  assert.equal(registered.status, 201);

  const failedEvents = events.filter((e) => e.gates.some((g) => !g.passed && !g.skipped)).length + 1;
  return { agents: ['support-bot', 'summarizer-v2', 'bid-agent', 'new-agent'], supportBotFailures, totalEvents: events.length + 1, failedEvents };
}
