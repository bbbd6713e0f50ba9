/**
 * Issue #10 §1: the other messages that carry content into the model (resources/read and prompts/get results,
 * the server's sampling/createMessage requests) are gated, and an over-long line ends the session.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BLOCKED_ERROR_CODE } from '../src/jsonrpc.js';
import { logEntry } from '../src/log.js';
import { call, EMAIL_TEXT, harness, line, marker } from './helpers/relay.js';

/** What the SDKs answer a request whose connection closed with; SESSION_ENDED_ERROR_CODE in jsonrpc.ts. */
const SESSION_ENDED = -32000;

const SECRET_URI = 'file:///home/jane/token=abc123.txt';
const readResource = (id: number | string, uri = SECRET_URI) => line({ jsonrpc: '2.0', id, method: 'resources/read', params: { uri } });
const resourceResult = (id: number | string, item: Record<string, unknown>) => line({ jsonrpc: '2.0', id, result: { contents: [{ uri: SECRET_URI, ...item }] } });
const getPrompt = (id: number | string) => line({ jsonrpc: '2.0', id, method: 'prompts/get', params: { name: 'summarise', arguments: { topic: 'x' } } });
const promptResult = (id: number | string, text: string) =>
  line({ jsonrpc: '2.0', id, result: { description: 'd', messages: [{ role: 'user', content: { type: 'text', text } }] } });
const samplingRequest = (id: number | string, text: string, systemPrompt = 'be brief') =>
  line({ jsonrpc: '2.0', id, method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text } }], systemPrompt, maxTokens: 5 } });
const base64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

describe('resources/read results', () => {
  it('are evaluated and blocked, recorded under the method name, never the URI', async () => {
    const h = harness();
    h.relay.fromClient(readResource(3));
    h.relay.fromServer(resourceResult(3, { text: EMAIL_TEXT }));
    await h.relay.drained();
    const [message] = h.clientMessages();
    assert.equal(message.error.code, BLOCKED_ERROR_CODE);
    assert.match(message.error.message, /^Pecta blocked this resource: pii/);
    const [decision] = h.decisions;
    assert.equal(decision!.method, 'resources/read');
    assert.equal(decision!.result.tool, 'resources/read');
    assert.ok(!JSON.stringify(logEntry(decision!)).includes('token=abc123'));
  });

  it('are seen with text blobs decoded, whatever the mimeType, so base64 does not hide text', async () => {
    const h = harness();
    h.relay.fromClient(readResource(3));
    h.relay.fromServer(resourceResult(3, { mimeType: 'application/octet-stream', blob: base64(EMAIL_TEXT) }));
    await h.relay.drained();
    assert.equal(h.clientMessages()[0].error.code, BLOCKED_ERROR_CODE);
  });

  it('pass a binary blob (seen only as its size, not as empty) byte for byte', async () => {
    const h = harness();
    h.relay.fromClient(readResource(3));
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x80]);
    const bytes = resourceResult(3, { mimeType: 'image/png', blob: base64(png) });
    h.relay.fromServer(bytes);
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(bytes));
    assert.equal(h.decisions[0]!.result.passed, true);
  });

  it('keep content under a "__proto__" key in view of the gates', async () => {
    const h = harness();
    h.relay.fromClient(readResource(3));
    h.relay.fromServer(Buffer.from(`{"jsonrpc":"2.0","id":3,"result":{"contents":[{"uri":"x","text":"ok","__proto__":{"text":"${EMAIL_TEXT}"}}]}}\n`));
    await h.relay.drained();
    assert.equal(h.clientMessages()[0].error.code, BLOCKED_ERROR_CODE);
  });

  it('are forwarded ungated when switched off', async () => {
    const h = harness({ gate: { resources: false } });
    h.relay.fromClient(readResource(3));
    const bytes = resourceResult(3, { text: EMAIL_TEXT });
    h.relay.fromServer(bytes);
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(bytes));
    assert.equal(h.decisions.length, 0);
  });
});

describe('prompts/get results', () => {
  it('are evaluated and blocked as a prompt; a passing one goes through byte for byte', async () => {
    const h = harness();
    h.relay.fromClient(Buffer.concat([getPrompt(1), getPrompt(2)]));
    const fine = promptResult(1, 'Summarise the attached notes.');
    h.relay.fromServer(Buffer.concat([fine, promptResult('2', EMAIL_TEXT)]));
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).subarray(0, fine.length).equals(fine));
    const blocked = h.clientMessages()[1];
    assert.match(blocked.error.message, /^Pecta blocked this prompt: pii/);
    assert.equal(blocked.id, '2');
    assert.deepEqual(h.decisions.map((d) => d.result.tool), ['prompts/get', 'prompts/get']);
  });

  it('are forwarded ungated when switched off', async () => {
    const h = harness({ gate: { prompts: false } });
    h.relay.fromClient(getPrompt(1));
    const bytes = promptResult(1, EMAIL_TEXT);
    h.relay.fromServer(bytes);
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(bytes));
  });
});

describe('sampling/createMessage requests from the server', () => {
  it('a failing one never reaches the client; the server gets the error under its own id', async () => {
    const h = harness();
    const after = line({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } });
    h.relay.fromServer(Buffer.concat([samplingRequest('s-1', EMAIL_TEXT), after]));
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(after), 'only the later notification reaches the client');
    const [reply] = h.toServer.map((b) => JSON.parse(b.toString()));
    assert.equal(reply.id, 's-1');
    assert.equal(reply.error.code, BLOCKED_ERROR_CODE);
    assert.match(reply.error.message, /^Pecta blocked this sampling request: pii/);
    const [decision] = h.decisions;
    assert.deepEqual([decision!.method, decision!.kind, decision!.result.tool], ['sampling/createMessage', 'request', 'sampling/createMessage']);
    assert.equal(decision!.result.latency_ms, undefined);
  });

  it('the system prompt is gated too; a passing request is forwarded byte for byte', async () => {
    const h = harness({ gates: [marker()] });
    const fine = samplingRequest(1, 'hello');
    h.relay.fromServer(Buffer.concat([fine, samplingRequest(2, 'hello', 'BAD system prompt')]));
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(fine));
    assert.equal(JSON.parse(h.toServer[0]!.toString()).id, 2);
  });

  it("waits for the end of the client's current line before answering the server", async () => {
    const h = harness();
    const request = call(9);
    h.relay.fromClient(request.subarray(0, 10));
    h.relay.fromServer(samplingRequest(5, EMAIL_TEXT));
    await h.relay.drained();
    assert.equal(h.toServer.length, 1, 'nothing is written into the middle of the client line');
    h.relay.fromClient(Buffer.concat([request.subarray(10), Buffer.from('{"jsonrpc"')]));
    const written = Buffer.concat(h.toServer).toString();
    const lines = written.split('\n');
    assert.equal(lines[0], request.toString().trimEnd());
    assert.equal(JSON.parse(lines[1]!).id, 5);
    assert.equal(lines[2], '{"jsonrpc"');
  });

  it('dry run: a failing one is forwarded to the client and the server gets nothing from the proxy', async () => {
    const h = harness({ dryRun: true });
    const bytes = samplingRequest(1, EMAIL_TEXT);
    h.relay.fromServer(bytes);
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(bytes));
    assert.equal(h.toServer.length, 0);
    assert.deepEqual([h.decisions[0]!.result.passed, h.decisions[0]!.blocked], [false, false]);
  });

  it('in a batch, only the failing sampling request is left out', async () => {
    const h = harness();
    const note = { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } };
    h.relay.fromServer(line([note, JSON.parse(samplingRequest(8, EMAIL_TEXT).toString())]));
    await h.relay.drained();
    assert.deepEqual(h.clientMessages(), [[note]]);
    assert.equal(JSON.parse(h.toServer[0]!.toString()).id, 8);
  });

  it('is forwarded ungated when switched off', async () => {
    const h = harness({ gate: { sampling: false } });
    const bytes = samplingRequest(1, EMAIL_TEXT);
    h.relay.fromServer(bytes);
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(bytes));
    assert.equal(h.toServer.length, 0);
  });
});

describe('line cap', () => {
  it('an over-long server line ends the session: waiting requests get an error, nothing more is relayed', async () => {
    const ended: string[] = [];
    const h = harness({ maxLineBytes: 1024, onLineTooLong: (side, max) => ended.push(`${side} ${max}`) });
    h.relay.fromClient(Buffer.concat([call(1), readResource(2), getPrompt('p')]));
    h.relay.fromServer(Buffer.from('{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"'));
    h.relay.fromServer(Buffer.alloc(2000, 'x'));
    h.relay.fromServer(Buffer.from('"}]}}\n'));
    h.relay.fromClient(call(4));
    await h.relay.drained();
    assert.deepEqual(ended, ['server 1024']);
    const messages = h.clientMessages();
    assert.deepEqual(messages.map((m) => m.id).sort(), [1, 2, 'p'].sort());
    for (const m of messages) {
      assert.equal(m.error.code, SESSION_ENDED);
      assert.match(m.error.message, /the MCP server sent a line longer than 1024 bytes/);
    }
    assert.equal(h.toServer.length, 1, 'the client request after the end is not forwarded');
    assert.equal(h.relay.sessionEnded, true);
  });

  it('an over-long client line is not forwarded and ends the session', async () => {
    const ended: string[] = [];
    const h = harness({ maxLineBytes: 1024, onLineTooLong: (side) => ended.push(side) });
    h.relay.fromClient(call(1));
    h.relay.fromClient(Buffer.alloc(1500, 'y'));
    await h.relay.drained();
    assert.deepEqual(ended, ['client']);
    assert.equal(h.toServer.length, 1);
    assert.equal(h.clientMessages()[0].id, 1);
    assert.match(h.clientMessages()[0].error.message, /the client sent a line longer than 1024 bytes/);
  });

  it('a line of exactly the cap passes', async () => {
    const h = harness({ maxLineBytes: 1024 });
    const exact = Buffer.concat([Buffer.from('"'), Buffer.alloc(1022, 'z'), Buffer.from('"\n')]);
    h.relay.fromServer(exact);
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(exact));
    assert.equal(h.relay.sessionEnded, false);
  });
});
