import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isPlainValidIngestBody } from '../../src/http/ingest-check.js';
import { API_FAST_CHECKS, validatorWithFastChecks } from '../../src/http/validator.js';
import { IngestBody } from '../../src/schemas.js';
import { propertyRuns } from '../helpers/property.js';
import { anyText } from '../helpers/text.js';

describe('ingest fast check', () => {
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

  /** Generated values beside the listed ones, by the kind of field: any text, any number, any instant. */
  const text = anyText({ maxLength: 12 }).map((t) => JSON.stringify(t));
  const number = fc.oneof(fc.double(), fc.integer({ min: -2, max: 60_002 })).map((n) => JSON.stringify(n));
  const instant = fc.date({ noInvalidDate: true }).map((d) => JSON.stringify(d.toISOString()));
  const GENERATED: Record<string, fc.Arbitrary<string>> = {
    agent_id: text,
    tool: text,
    event_id: text,
    name: text,
    reason: text,
    total_latency_ms: number,
    latency_ms: number,
    timestamp: instant,
  };

  /** Mostly a valid value (the first three of each list are), sometimes any listed or generated one, rarely a wrong type. */
  function fieldValue(name: string, values: string[]): fc.Arbitrary<string> {
    const generated = GENERATED[name];
    return fc.oneof(
      { weight: 85, arbitrary: fc.constantFrom(...values.slice(0, 3)) },
      { weight: 7, arbitrary: fc.constantFrom(...values) },
      { weight: generated ? 5 : 0, arbitrary: generated ?? fc.constant(values[0]!) },
      { weight: 3, arbitrary: fc.constantFrom(...wrongTypes) },
    );
  }

  const extraMember = fc
    .tuple(fc.constantFrom('extra', '__proto__', 'constructor', 'Passed'), fc.constantFrom('1', 'true', '"x"'))
    .map(([name, value]) => `${JSON.stringify(name)}:${value}`);

  /**
   * An object as JSON text: each field present (required ones almost always), now and then an unknown key, rarely
   * not an object at all, members in any order (key order must not matter).
   */
  function object(fields: Record<string, string[]>, required: string[], gates?: fc.Arbitrary<string>): fc.Arbitrary<string> {
    const members = Object.entries(fields).map(([name, values]) =>
      fc.option(fieldValue(name, values).map((value) => `${JSON.stringify(name)}:${value}`), { freq: required.includes(name) ? 33 : 2, nil: null }),
    );
    if (gates) members.push(fc.option(gates.map((list) => `"gates":${list}`), { freq: 3, nil: null }));
    members.push(fc.oneof({ weight: 95, arbitrary: fc.constant(null) }, { weight: 5, arbitrary: extraMember }));
    const ranks = fc.array(fc.nat({ max: 1000 }), { minLength: members.length, maxLength: members.length });
    const shuffled = fc.tuple(fc.tuple(...members), ranks).map(([parts, rank]) => {
      const present = parts.map((part, i) => ({ part, rank: rank[i]! })).filter((x): x is { part: string; rank: number } => x.part !== null);
      return `{${present.sort((a, b) => a.rank - b.rank).map((x) => x.part).join(',')}}`;
    });
    return fc.oneof({ weight: 99, arbitrary: shuffled }, { weight: 1, arbitrary: fc.constantFrom(...wrongTypes) });
  }

  /** n copies of one valid item: random ones would almost never all be valid at the count limits. */
  const copies = (counts: number[], item: string) => fc.constantFrom(...counts).map((n) => `[${Array(n).fill(item).join(',')}]`);
  const list = (item: fc.Arbitrary<string>, minLength: number, maxLength: number) => fc.array(item, { minLength, maxLength, size: 'max' }).map((items) => `[${items.join(',')}]`);

  const gate = object(GATE_FIELDS, ['name', 'passed']);
  const gates = fc.oneof({ weight: 98, arbitrary: list(gate, 0, 3) }, { weight: 2, arbitrary: copies([50, 51], '{"name":"g","passed":true}') });
  const event = object(FIELDS, ['agent_id', 'passed'], gates);
  const events = fc.oneof(
    { weight: 97, arbitrary: list(event, 1, 3) },
    { weight: 1, arbitrary: fc.constant('[]') },
    { weight: 2, arbitrary: copies([100, 101], '{"agent_id":"a","passed":true}') },
  );
  const body = fc.oneof(
    { weight: 97, arbitrary: events.map((e) => `{"events":${e}}`) },
    { weight: 1, arbitrary: events.map((e) => `{"events":${e},"extra":true}`) },
    { weight: 1, arbitrary: events.map((e) => `[${e}]`) },
    { weight: 1, arbitrary: fc.constantFrom(...wrongTypes).map((w) => `{"events":${w}}`) },
  );

  /**
   * The fast check must agree with IngestBody on every body: accepting one zod refuses would let bad data in, refusing
   * one zod accepts would only cost speed but means the two have drifted apart. Bodies are generated as JSON text and
   * parsed, as the server receives them (so `__proto__` keys and 1e999 behave as over HTTP), from field values at and
   * around every limit, wrong types, unknown and missing fields.
   */
  it('accepts exactly the bodies IngestBody accepts, and those unchanged', () => {
    const RUNS = 3500;
    let accepted = 0;
    fc.assert(
      fc.property(body, (text) => {
        const data: unknown = JSON.parse(text);
        const zod = IngestBody.safeParse(data);
        const fast = isPlainValidIngestBody(data);
        assert.equal(fast, zod.success, `fast check says ${fast}, zod says ${zod.success}`);
        if (fast) {
          accepted++;
          assert.deepEqual(zod.data, data, 'zod changed an accepted body');
        }
      }),
      propertyRuns(RUNS),
    );
    // Both outcomes must be well represented, or the comparison proves little.
    assert.ok(accepted > RUNS * 0.2 && accepted < RUNS * 0.8, `accepted ${accepted} of ${RUNS}`);
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
