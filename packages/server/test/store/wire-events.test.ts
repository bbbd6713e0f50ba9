import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { storedGatesJson } from '../../src/store/stored-gates.js';
import { encodeEvents, WireEventReader, wireEventCount } from '../../src/store/sqlite/wire-events.js';
import type { NewEvent } from '../../src/store/types.js';
import { propertyRuns } from '../helpers/property.js';
import { anyText } from '../helpers/text.js';

describe('events on the wire to the writer thread', () => {
  it('arrive after a structured clone exactly as they were sent, nulls, empty and non-ASCII text included', () => {
    const texts = ['', 'a', 'agent-7', 'ü', '😀 emoji', 'lone \ud800', '\udc00', 'x'.repeat(200), 'tab\tand "quotes"'];
    const text = fc.oneof(fc.constantFrom(...texts), anyText({ maxLength: 12 }));
    const nonEmptyText = fc.oneof(fc.constantFrom(...texts.slice(1)), anyText({ minLength: 1, maxLength: 12 }));
    const latency = fc.oneof(fc.constantFrom(0, -0, 0.02, 59_999.999, 60_000), fc.double({ noNaN: true }));
    const gate = fc.record(
      { name: nonEmptyText, passed: fc.boolean(), latency_ms: fc.double(), reason: text },
      { requiredKeys: ['name', 'passed', 'latency_ms'] },
    );
    const event: fc.Arbitrary<NewEvent> = fc.record({
      evaluation_id: nonEmptyText,
      event_id: fc.option(text, { nil: null }),
      agent_id: nonEmptyText,
      tool_name: fc.option(text, { nil: null }),
      passed: fc.boolean(),
      gates: fc.array(gate, { maxLength: 3 }),
      total_latency_ms: fc.option(latency, { nil: null }),
      latency_ms: fc.option(latency, { nil: null }),
      created_at: fc.oneof(fc.constantFrom(0, 1_780_000_000_000, Number.MAX_SAFE_INTEGER), fc.integer({ min: 0, max: 2 ** 48 })),
    });
    fc.assert(fc.property(fc.array(event, { maxLength: 25, size: 'max' }), roundTrips), propertyRuns(25));
  });

  function roundTrips(events: NewEvent[]): void {
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
  }

  it('an empty batch has no events', () => {
    const wire = encodeEvents([]);
    assert.equal(wireEventCount(wire), 0);
    assert.equal(new WireEventReader(wire).next(), false);
  });
});
