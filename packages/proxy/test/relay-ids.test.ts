/**
 * Issue #10 §1: a response is paired with a waiting gated request the way MCP clients pair them, so that no spelling
 * of an id lets a response to a gated request through unevaluated.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BLOCKED_ERROR_CODE } from '../src/jsonrpc.js';
import { call, EMAIL_TEXT, harness, line, marker, textResult } from './helpers/relay.js';

/** Sends a gated request with `requestId`, answers it with EMAIL_TEXT under `responseId`: was it blocked? */
async function blockedUnder(requestId: string | number, responseId: string | number): Promise<{ blocked: boolean; id: unknown }> {
  const h = harness();
  h.relay.fromClient(call(requestId));
  h.relay.fromServer(textResult(responseId, EMAIL_TEXT));
  await h.relay.drained();
  const [message] = h.clientMessages();
  return { blocked: message.error?.code === BLOCKED_ERROR_CODE, id: message.id };
}

describe('id matching: the spellings the official SDK clients accept', () => {
  // The TypeScript SDK pairs by Number(response.id); the Python SDK by int(response.id).
  const spellings: [number, string][] = [
    [1, '1'],
    [1, ' 1'],
    [1, '1 '],
    [1, '\t1\r\n'],
    [1, '\u00a01\u2028'],
    [1, '1.0'],
    [1, '0x1'],
    [1, '0b1'],
    [1, '0o1'],
    [1, '1e0'],
    [1, '+1'],
    [1, '01'],
    [0, ''],
    [0, '   '],
    [0, '-0'],
    [10, '1_0'],
    [1, '\u0661'],
    [12, '\uff11\uff12'],
    [3, '3\u0085'],
    [7, '\ud835\udfd5'],
  ];
  for (const [requestId, responseId] of spellings) {
    it(`request ${requestId}, response id ${JSON.stringify(responseId)}: evaluated and blocked, the id kept as sent`, async () => {
      const { blocked, id } = await blockedUnder(requestId, responseId);
      assert.equal(blocked, true);
      assert.equal(id, responseId);
    });
  }

  it('a numeric response id answers a client string id that reads as that number', async () => {
    assert.equal((await blockedUnder('7', 7)).blocked, true);
    assert.equal((await blockedUnder(' 7', '0x7')).blocked, true);
  });

  it('every decimal, hexadecimal, exponent and padded spelling of random ids is caught (the SDKs agree)', async () => {
    let seed = 20261202;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 50; i++) {
      const n = Math.floor(random() * 1_000_000);
      const forms = [String(n), ` ${n}\n`, `0x${n.toString(16)}`, `${n}.0`, `${n / 10}e1`, `+${n}`];
      for (const form of forms) {
        assert.equal(Number(form), n, `the TypeScript SDK reads ${JSON.stringify(form)} as ${n}`);
        assert.equal((await blockedUnder(n, form)).blocked, true, JSON.stringify(form));
      }
    }
  });

  it('ids that no client reads as the pending number are forwarded untouched', async () => {
    for (const responseId of ['1a', 'one', '1 1', '0x', 'Infinity', '1__0', '_1', 2]) {
      const h = harness();
      h.relay.fromClient(call(1));
      const bytes = textResult(responseId, EMAIL_TEXT);
      h.relay.fromServer(bytes);
      await h.relay.drained();
      assert.ok(Buffer.concat(h.toClient).equals(bytes), JSON.stringify(responseId));
      assert.equal(h.relay.pendingCalls, 1);
    }
  });

  it('a passing response under a loose id is forwarded byte for byte', async () => {
    const h = harness();
    h.relay.fromClient(call(1));
    const bytes = Buffer.from('{"jsonrpc":"2.0","id":" 1","result":{"content":[{"type":"text","text":"all good"}]}}\r\n');
    h.relay.fromServer(bytes);
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(bytes));
    assert.equal(h.decisions.length, 1);
  });

  it('keeps CRLF framing and the server id in the error', async () => {
    const h = harness();
    h.relay.fromClient(call(4));
    h.relay.fromServer(textResult('4', EMAIL_TEXT, {}).subarray(0, -1));
    h.relay.fromServer(Buffer.from('\r\n'));
    await h.relay.drained();
    const text = h.clientText();
    assert.ok(text.endsWith('\r\n'));
    assert.equal(JSON.parse(text).id, '4');
  });

  it('pairs loose ids inside batches', async () => {
    const h = harness();
    h.relay.fromClient(Buffer.concat([call(1), call(2)]));
    h.relay.fromServer(line([
      { jsonrpc: '2.0', id: '1', result: { content: [{ type: 'text', text: 'fine' }] } },
      { jsonrpc: '2.0', id: ' 2', result: { content: [{ type: 'text', text: EMAIL_TEXT }] } },
    ]));
    await h.relay.drained();
    const [batch] = h.clientMessages();
    assert.equal(batch[0].result.content[0].text, 'fine');
    assert.equal(batch[1].error.code, BLOCKED_ERROR_CODE);
    assert.equal(batch[1].id, ' 2');
  });

  it('a second response under a loosely answered id is evaluated too (the Python SDK would take it)', async () => {
    const h = harness({ gates: [marker()] });
    h.relay.fromClient(call(1));
    h.relay.fromServer(textResult('0x1', 'fine'));
    h.relay.fromServer(textResult(1, 'BAD'));
    await h.relay.drained();
    const [first, second] = h.clientMessages();
    assert.equal(first.result.content[0].text, 'fine');
    assert.equal(second.error.code, BLOCKED_ERROR_CODE);
    assert.deepEqual(h.decisions.map((d) => [d.duplicate, d.result.tool]), [[false, 'read_file'], [true, 'read_file']]);
  });

  it('a response for a reused id answers the new request, not the answered tools/call', async () => {
    const h = harness({ gates: [marker()] });
    h.relay.fromClient(call(1));
    h.relay.fromServer(textResult(1, 'fine'));
    h.relay.fromClient(line({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
    const list = line({ jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'BAD', inputSchema: {} }] } });
    h.relay.fromServer(list);
    await h.relay.drained();
    assert.equal(h.decisions.length, 1);
    assert.ok(h.clientText().endsWith(list.toString()));
  });

  it('two client ids that share a key ("1" and 1) are both gated, each response to its own request', async () => {
    const h = harness();
    h.relay.fromClient(Buffer.concat([call('1', 'first'), call(1, 'second')]));
    h.relay.fromServer(Buffer.concat([textResult(1, EMAIL_TEXT), textResult('1', EMAIL_TEXT)]));
    await h.relay.drained();
    assert.deepEqual(h.clientMessages().map((m) => m.error?.code), [BLOCKED_ERROR_CODE, BLOCKED_ERROR_CODE]);
    assert.deepEqual(h.decisions.map((d) => d.result.tool), ['second', 'first']);
    assert.equal(h.relay.pendingCalls, 0);
  });

  it('gates a message that has a method as well as a result (lax parsers read it as a response)', async () => {
    const h = harness();
    h.relay.fromClient(call(1));
    h.relay.fromServer(line({ jsonrpc: '2.0', id: 1, method: 'x', result: { content: [{ type: 'text', text: EMAIL_TEXT }] } }));
    await h.relay.drained();
    assert.equal(h.clientMessages()[0].error.code, BLOCKED_ERROR_CODE);
  });

  it('gates both members of a message that has a result and an error', async () => {
    const h = harness();
    h.relay.fromClient(call(1));
    h.relay.fromServer(line({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'fine' }] }, error: { code: 1, message: EMAIL_TEXT } }));
    await h.relay.drained();
    assert.equal(h.clientMessages()[0].error.code, BLOCKED_ERROR_CODE);
  });

  it('drops a line it cannot parse instead of forwarding it (another parser may accept NaN)', async () => {
    let warned = 0;
    const h = harness({ onUnparseable: () => warned++ });
    h.relay.fromClient(call(1));
    h.relay.fromServer(Buffer.from(`{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"${EMAIL_TEXT}"}],"n":NaN}}\n`));
    h.relay.fromServer(Buffer.from('also not json\n'));
    await h.relay.drained();
    assert.equal(h.clientText(), '');
    assert.equal(warned, 1);
    assert.equal(h.relay.counts.unparseable, 2);
  });
});
