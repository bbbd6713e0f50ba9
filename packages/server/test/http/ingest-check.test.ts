import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPlainValidIngestBody } from '../../src/http/ingest-check.js';
import { API_FAST_CHECKS, validatorWithFastChecks } from '../../src/http/validator.js';
import { IngestBody } from '../../src/schemas.js';
import { prng } from '../helpers/prng.js';

/**
 * The fast check must agree with IngestBody on every body: accepting one zod refuses would let bad data in, refusing
 * one zod accepts would only cost speed but means the two have drifted apart. Bodies are generated as JSON text and
 * parsed, as the server receives them (so `__proto__` keys and 1e999 behave as over HTTP), from field values at and
 * around every limit, wrong types, unknown and missing fields.
 */
describe('ingest fast check', () => {
  const SEEDS = 4000;

  // JSON source texts per field: valid ones first, then the ones IngestBody refuses.
  const str = (n: number, ch = 'a') => JSON.stringify(ch.repeat(n));
  const wrongTypes = ['null', '0', '1.5', 'true', '"x"', '[]', '{}', '["a"]'];
  const FIELDS: Record<string, string[]> = {
    agent_id: [str(1), str(200), '"agent-ü-😀"', str(0), str(201), '"' + 'é'.repeat(201) + '"', '"\\ud800"', '"a\\udfffb"', '"\\ud83d\\ude00"'],
    tool: [str(0), str(200), '"search"', str(201), '"\\udc00"'],
    passed: ['true', 'false'],
    total_latency_ms: ['0', '-0', '0.001', '60000', '12.5', '-1', '-0.0001', '60000.5', '60001', '1e999', '-1e999'],
    latency_ms: ['0', '60000', '120', '-5', '60001', '1e999'],
    timestamp: [
      '"2026-05-07T14:22:44Z"',
      '"2026-05-07T14:22:44.123+02:00"',
      '"2026-05-07"',
      '"2026-02-30T00:00:00Z"',
      '"2026-05-07T14:22:44"',
      '"2026-05-07T24:00:00Z"',
      '"yesterday"',
      JSON.stringify('2026-05-07T14:22:44.123456789+02:00' + ' '.repeat(6)),
      str(41),
    ],
    event_id: [str(1), str(200), '"ev_1"', str(0), str(201), '"ev\\ud801"'],
  };
  const GATE_FIELDS: Record<string, string[]> = {
    name: [str(1), str(200), '"pii"', str(0), str(201), '"\\udbff"'],
    passed: ['true', 'false'],
    latency_ms: ['0', '0.011', '60000', '-1', '60001', '1e999'],
    reason: [str(0), str(500), '"email address detected"', str(501)],
    skipped: ['true', 'false'],
    aborted: ['true', 'false'],
  };

  function object(rand: () => number, fields: Record<string, string[]>, required: string[], nested?: () => string): string {
    const parts: string[] = [];
    for (const [name, values] of Object.entries(fields)) {
      const include = required.includes(name) ? rand() < 0.97 : rand() < 0.5;
      if (!include) continue;
      const r = rand();
      // Mostly a valid value (the first of each list are), sometimes any listed value, rarely a wrong type.
      const value = r < 0.9 ? values[Math.floor(rand() * Math.min(3, values.length))]! : r < 0.97 ? values[Math.floor(rand() * values.length)]! : wrongTypes[Math.floor(rand() * wrongTypes.length)]!;
      parts.push(`${JSON.stringify(name)}:${value}`);
    }
    if (nested && rand() < 0.7) {
      // The limits: 50 and 51 gates, of one valid gate repeated (random ones would almost never all be valid).
      const r = rand();
      const gates = r < 0.02 ? Array(r < 0.01 ? 50 : 51).fill('{"name":"g","passed":true}') : Array.from({ length: Math.floor(rand() * 4) }, nested);
      parts.push(`"gates":[${gates.join(',')}]`);
    }
    if (rand() < 0.05) parts.push(`${JSON.stringify(['extra', '__proto__', 'constructor', 'Passed'][Math.floor(rand() * 4)])}:${['1', 'true', '"x"'][Math.floor(rand() * 3)]}`);
    if (rand() < 0.01) return wrongTypes[Math.floor(rand() * wrongTypes.length)]!;
    // Shuffle: key order must not matter.
    for (let i = parts.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [parts[i], parts[j]] = [parts[j]!, parts[i]!];
    }
    return `{${parts.join(',')}}`;
  }

  function body(seed: number): string {
    const rand = prng(seed);
    const gate = () => object(rand, GATE_FIELDS, ['name', 'passed']);
    const event = () => object(rand, FIELDS, ['agent_id', 'passed'], gate);
    const r = rand();
    const count = r < 0.01 ? 0 : 1 + Math.floor(rand() * 3);
    // The limits: 100 and 101 events, of one valid event repeated.
    const events = r > 0.98 ? `[${Array(r > 0.99 ? 100 : 101).fill('{"agent_id":"a","passed":true}').join(',')}]` : `[${Array.from({ length: count }, event).join(',')}]`;
    if (rand() < 0.01) return `{"events":${events},"extra":true}`;
    if (rand() < 0.01) return `[${events}]`;
    if (rand() < 0.01) return `{"events":${wrongTypes[Math.floor(rand() * wrongTypes.length)]}}`;
    return `{"events":${events}}`;
  }

  it('accepts exactly the bodies IngestBody accepts, and those unchanged', () => {
    let accepted = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const text = body(seed);
      const data: unknown = JSON.parse(text);
      const zod = IngestBody.safeParse(data);
      const fast = isPlainValidIngestBody(data);
      assert.equal(fast, zod.success, `seed ${seed}: fast check says ${fast}, zod says ${zod.success}: ${text.slice(0, 600)}`);
      if (fast) {
        accepted++;
        assert.deepEqual(zod.data, data, `seed ${seed}: zod changed an accepted body`);
      }
    }
    // Both outcomes must be well represented, or the comparison proves little.
    assert.ok(accepted > SEEDS * 0.2 && accepted < SEEDS * 0.8, `accepted ${accepted} of ${SEEDS}`);
  });

  it('refuses what the refinement refuses: an event without a verdict or gates', () => {
    assert.equal(isPlainValidIngestBody({ events: [{ agent_id: 'a' }] }), false);
    assert.equal(isPlainValidIngestBody({ events: [{ agent_id: 'a', gates: [] }] }), false);
    assert.equal(isPlainValidIngestBody({ events: [{ agent_id: 'a', gates: [{ name: 'g', passed: false }] }] }), true);
    assert.equal(isPlainValidIngestBody(JSON.parse('{"events":[{"agent_id":"a","passed":true,"__proto__":{}}]}')), false);
  });

  it('the validator passes an accepted body on as it is and lets zod word every refusal', () => {
    const compile = validatorWithFastChecks(API_FAST_CHECKS);
    const validate = compile({ schema: IngestBody, method: 'POST', url: '/v1/ingest', httpPart: 'body' });
    const good = { events: [{ agent_id: 'a', passed: true }] };
    const ok = validate(good) as { value?: unknown; error?: unknown };
    assert.equal(ok.value, good, 'the same object, not a copy');
    const bad = validate({ events: [{ agent_id: 'a', passed: 'yes' }] }) as { value?: unknown; error?: Array<{ message: string }> };
    assert.equal(bad.value, undefined);
    assert.ok(bad.error && bad.error.length > 0, 'zod reports the refusal');
  });
});
