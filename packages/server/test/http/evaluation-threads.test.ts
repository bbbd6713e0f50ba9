import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.js';
import type { Evaluated } from '../../src/evaluation/evaluate-body.js';
import { EvaluationThreads } from '../../src/evaluation/evaluation-threads.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

/** Bodies large enough to be evaluated on a thread, one per shape the gates react to. */
const padding = 'Ordinary words about the weather and the news. '.repeat(500);
const BODIES: Record<string, Record<string, unknown>> = {
  clean: { agent_id: 'big', output: padding },
  pii: { agent_id: 'big', output: `${padding} write to jane.doe@example.com` },
  refusal: { agent_id: 'big', output: ["I'm sorry, but I can't help with that.", padding] },
  filesystem: { agent_id: 'big', output: { cmd: 'rm -rf /', notes: padding }, tool: 'shell', latency_ms: 12 },
};

function gateSummary(body: { gates: { name: string; passed: boolean; reason?: string }[] }): string[] {
  return body.gates.map((g) => `${g.name}:${g.passed}:${g.reason ?? ''}`);
}

describe('large evaluate bodies go to an evaluation thread', () => {
  let threaded: TestApp;
  let inline: TestApp;
  before(async () => {
    threaded = await makeTestApp({ evaluateThreads: 1, evaluateThreadMinBytes: 1024 });
    inline = await makeTestApp({ evaluateThreads: 0 });
  });
  after(async () => {
    await threaded.close();
    await inline.close();
  });

  for (const [label, body] of Object.entries(BODIES)) {
    it(`gives the same verdict, reasons and recorded event as the HTTP thread (${label})`, async () => {
      const before = threaded.evaluations.answered;
      const [t, i] = await Promise.all([
        threaded.call('POST', '/v1/evaluate', threaded.a.pk, body),
        inline.call('POST', '/v1/evaluate', inline.a.pk, body),
      ]);
      assert.equal(t.statusCode, 200, t.body);
      assert.equal(i.statusCode, 200, i.body);
      assert.equal(threaded.evaluations.answered, before + 1, 'answered by the thread');
      const tb = t.json();
      const ib = i.json();
      assert.equal(tb.passed, ib.passed);
      assert.deepEqual(gateSummary(tb), gateSummary(ib));
      const [event] = (await threaded.call('GET', '/v1/events?limit=1', threaded.a.pk)).json().events;
      assert.equal(event.evaluation_id, tb.evaluation_id);
      assert.equal(event.tool_name, (body.tool as string | undefined) ?? null);
      assert.equal(event.latency_ms, (body.latency_ms as number | undefined) ?? null);
    });
  }

  const REFUSED: [string, string | Buffer, string, RegExp][] = [
    ['not JSON', `{"agent_id":"x","output":"${padding}"`, 'bad_json', /not valid JSON/],
    ['not UTF-8', Buffer.concat([Buffer.from(`{"agent_id":"x","output":"${padding}`), Buffer.from([0xff, 0x22, 0x7d])]), 'bad_json', /UTF-8/],
    ['too deep', `{"agent_id":"x","output":"${padding}","input":${'['.repeat(100)}${']'.repeat(100)}}`, 'validation_error', /nests deeper/],
    ['no agent_id', JSON.stringify({ output: padding }), 'validation_error', /^agent_id: /],
    ['unknown field', JSON.stringify({ agent_id: 'x', output: padding, extra: 1 }), 'validation_error', /extra|Unrecognized/],
    ['latency out of range', JSON.stringify({ agent_id: 'x', output: padding, latency_ms: -1 }), 'validation_error', /^latency_ms: /],
  ];
  for (const [label, payload, code, message] of REFUSED) {
    it(`refuses a body that is ${label} with the same error as the HTTP thread`, async () => {
      const [t, i] = await Promise.all([
        threaded.call('POST', '/v1/evaluate', threaded.a.pk, payload),
        inline.call('POST', '/v1/evaluate', inline.a.pk, payload),
      ]);
      assert.equal(t.statusCode, 400, t.body);
      assert.deepEqual(t.json(), i.json());
      assert.equal(t.json().code, code);
      assert.match(t.json().error, message);
    });
  }

  it('keeps small bodies on the HTTP thread', async () => {
    const before = threaded.evaluations.answered;
    const r = await threaded.call('POST', '/v1/evaluate', threaded.a.pk, { agent_id: 'small', output: 'hi' });
    assert.equal(r.statusCode, 200);
    assert.equal(threaded.evaluations.answered, before);
  });
});

/** One thread taking any body, with `maxQueued` waiting at most and `inline` as the calling thread's evaluation. */
function oneThread(maxQueued: number, inline: (raw: Buffer) => Promise<Evaluated>): EvaluationThreads {
  return new EvaluationThreads({ threads: 1, minBytes: 0, maxQueued, config: { timeoutMs: 200, maxJsonDepth: 64 }, inline });
}

/** What the stand-in for the calling thread's evaluation answers. */
const INLINE_ANSWER: Evaluated = { evaluation_id: 'ev_inline', agent_id: 'w', tool_name: null, passed: true, gates: [], total_latency_ms: 0, latency_ms: null, created_at: 0 };

describe('EvaluationThreads', () => {
  const worstCase = Buffer.from(JSON.stringify({ agent_id: 'w', output: Array.from({ length: 300_000 }, () => ({})) }));

  it('answers a worst-case body within the budget as pecta:timeout', async () => {
    const app = await makeTestApp({ evaluateThreads: 1, evaluateThreadMinBytes: 1024 });
    try {
      const r = await app.call('POST', '/v1/evaluate', app.a.pk, worstCase);
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json();
      assert.equal(body.passed, false);
      assert.ok(body.gates.some((g: { reason?: string }) => g.reason === 'pecta:timeout'), r.body);
      assert.equal(app.evaluations.answered, 1);
    } finally {
      await app.close();
    }
  });

  it('refuses bodies past its queue with 503 unavailable and Retry-After, and answers the rest', async () => {
    let inlined = 0;
    const threads = oneThread(2, async () => {
      inlined++;
      throw new Error('not expected');
    });
    try {
      await threads.start();
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => threads.evaluate(worstCase)));
      const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason);
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 2);
      assert.equal(refused.length, 3);
      for (const error of refused) {
        assert.ok(error instanceof ApiError);
        assert.equal(error.code, 'unavailable');
        assert.equal(error.headers['Retry-After'], '1');
      }
      assert.equal(inlined, 0);
    } finally {
      await threads.close();
    }
  });

  it('starts no thread for a body that arrives after close(), and answers it on the calling thread', async () => {
    let inlined = 0;
    const threads = oneThread(16, async () => {
      inlined++;
      return INLINE_ANSWER;
    });
    await threads.close();
    assert.equal((await threads.evaluate(Buffer.from('{}'))).evaluation_id, 'ev_inline');
    assert.equal(inlined, 1);
    assert.equal(threads.live, 0);
  });

  it('hands bodies back to the calling thread when its thread dies, and keeps answering without it', async () => {
    const inlined: number[] = [];
    const threads = oneThread(16, async (raw) => {
      inlined.push(raw.length);
      return INLINE_ANSWER;
    });
    try {
      await threads.start();
      const pending = threads.evaluate(worstCase);
      const worker = threads.workers()[0]!;
      // An idle thread is unref'd: without this, nothing would keep the process waiting for its exit.
      worker.ref();
      await worker.terminate();
      assert.equal((await pending).evaluation_id, 'ev_inline');
      assert.equal(threads.live, 0);
      assert.equal((await threads.evaluate(Buffer.from('{}'))).evaluation_id, 'ev_inline');
      assert.deepEqual(inlined, [worstCase.length, 2]);
    } finally {
      await threads.close();
    }
  });
});
