import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storedGatesJson } from '../../src/store/stored-gates.js';
import { encodeEvents, WireEventReader, wireEventCount } from '../../src/store/sqlite/wire-events.js';
import type { NewEvent } from '../../src/store/types.js';
import { prng } from '../helpers/prng.js';

describe('events on the wire to the writer thread', () => {
  it('arrive after a structured clone exactly as they were sent, nulls, empty and non-ASCII text included', () => {
    const rand = prng(5);
    const texts = ['', 'a', 'agent-7', 'ü', '😀 emoji', 'lone \ud800', '\udc00', 'x'.repeat(200), 'tab\tand "quotes"'];
    const pick = <T,>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
    const events: NewEvent[] = Array.from({ length: 500 }, (_, i) => ({
      evaluation_id: `ev_${i}`,
      event_id: rand() < 0.5 ? null : pick(texts),
      agent_id: pick(texts.slice(1)),
      tool_name: rand() < 0.3 ? null : pick(texts),
      passed: rand() < 0.5,
      gates: rand() < 0.2 ? [] : [{ name: pick(texts.slice(1)), passed: rand() < 0.5, latency_ms: rand() * 10, ...(rand() < 0.5 ? { reason: pick(texts) } : {}) }],
      total_latency_ms: rand() < 0.3 ? null : pick([0, -0, 0.02, 59_999.999]),
      latency_ms: rand() < 0.3 ? null : rand() * 60_000,
      created_at: 1_780_000_000_000 + i,
    }));
    const wire = structuredClone(encodeEvents(events));
    assert.equal(wireEventCount(wire), events.length);
    const reader = new WireEventReader(wire);
    for (const sent of events) {
      assert.ok(reader.next());
      assert.deepEqual(
        {
          evaluation_id: reader.evaluationId,
          event_id: reader.eventId,
          agent_id: reader.agentId,
          tool_name: reader.toolName,
          passed: reader.passed,
          gates: reader.gates,
          total_latency_ms: reader.totalLatencyMs,
          latency_ms: reader.latencyMs,
          created_at: reader.createdAt,
        },
        { ...sent, gates: storedGatesJson(sent.gates) },
      );
    }
    assert.equal(reader.next(), false);
    assert.equal(reader.next(), false, 'stays at the end');
  });

  it('an empty batch has no events', () => {
    const wire = encodeEvents([]);
    assert.equal(wireEventCount(wire), 0);
    assert.equal(new WireEventReader(wire).next(), false);
  });
});
