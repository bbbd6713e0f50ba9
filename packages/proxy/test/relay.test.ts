import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEngine, defaultGates, type Gate } from '@pecta/core';
import { BLOCKED_ERROR_CODE } from '../src/jsonrpc.js';
import { call, EMAIL_TEXT, harness, line, marker, textResult } from './helpers/relay.js';

describe('Relay: client → server', () => {
  it('forwards client chunks unchanged and immediately, even partial lines', () => {
    const h = harness();
    const bytes = Buffer.concat([call(1), Buffer.from('{"jsonrpc":"2.0","method":"notifications/initialized"}\r\n'), Buffer.from('{"partial":')]);
    h.relay.fromClient(bytes.subarray(0, 10));
    h.relay.fromClient(bytes.subarray(10));
    assert.ok(Buffer.concat(h.toServer).equals(bytes));
    assert.equal(h.relay.pendingCalls, 1);
  });

  it('notes tools/call requests split across chunks and inside batches', () => {
    const h = harness();
    const req = call(1);
    h.relay.fromClient(req.subarray(0, 5));
    assert.equal(h.relay.pendingCalls, 0);
    h.relay.fromClient(req.subarray(5));
    assert.equal(h.relay.pendingCalls, 1);
    const batch = line([
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'a' } },
      { jsonrpc: '2.0', id: 3, method: 'tools/list' },
      { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'b' } },
    ]);
    h.relay.fromClient(batch);
    assert.equal(h.relay.pendingCalls, 3);
  });

  it('ignores notifications, responses from the client and unparseable lines', () => {
    const h = harness();
    h.relay.fromClient(line({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'x' } })); // no id: notification
    h.relay.fromClient(line({ jsonrpc: '2.0', id: 5, result: { method: 'tools/call' } }));
    h.relay.fromClient(Buffer.from('not json\n'));
    assert.equal(h.relay.pendingCalls, 0);
    assert.equal(h.toServer.length, 3);
  });
});

describe('Relay: server → client', () => {
  it('forwards a passing tools/call result as the exact bytes received', async () => {
    const h = harness();
    h.relay.fromClient(call(1));
    const odd = Buffer.from('{ "result" : {"content":[{"type":"text","text":"hello\\u0020world"}]},"id":1, "jsonrpc":"2.0" }\n');
    h.relay.fromServer(odd);
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(odd));
    assert.equal(h.decisions.length, 1);
    assert.equal(h.decisions[0]!.blocked, false);
    assert.equal(h.decisions[0]!.result.passed, true);
  });

  it('replaces a failing result with a -32000 error that names the gate and never the payload', async () => {
    const h = harness();
    h.relay.fromClient(call('req-7', 'read_file'));
    h.relay.fromServer(textResult('req-7', EMAIL_TEXT));
    await h.relay.drained();
    const [message] = h.clientMessages();
    assert.deepEqual(Object.keys(message).sort(), ['error', 'id', 'jsonrpc']);
    assert.equal(message.id, 'req-7');
    assert.equal(message.error.code, BLOCKED_ERROR_CODE);
    assert.equal(message.error.message, 'Pecta blocked this tool result: pii (email address detected in output)');
    assert.match(message.error.data.evaluation_id, /^ev_/);
    assert.deepEqual(
      message.error.data.gates.map((g: { name: string; passed: boolean }) => [g.name, g.passed]),
      [['filesystem', true], ['pii', false], ['content', true], ['commands', true]],
    );
    assert.ok(!h.clientText().includes('jane.doe'));
    assert.ok(!h.clientText().includes('details'));
    assert.equal(h.decisions[0]!.blocked, true);
    assert.equal(h.relay.counts.blocked, 1);
  });

  it('keeps gate details out of the error data even when a gate returns them', async () => {
    const h = harness({ gates: [marker()] });
    h.relay.fromClient(call(1));
    h.relay.fromServer(textResult(1, 'BAD'));
    await h.relay.drained();
    const [message] = h.clientMessages();
    assert.deepEqual(message.error.data.gates, [{ name: 'marker', passed: false, latency_ms: message.error.data.gates[0].latency_ms, reason: 'marker found' }]);
    assert.ok(!h.clientText().includes('BAD detail'));
  });

  it('names only the decisive failures, not gates aborted by failFast', async () => {
    const slow: Gate = { name: 'slow', run: () => new Promise((r) => setTimeout(() => r({ passed: true }), 30)) };
    const h = harness({ gates: [marker(), slow] });
    h.relay.fromClient(call(1));
    h.relay.fromServer(textResult(1, 'BAD'));
    await h.relay.drained();
    const [message] = h.clientMessages();
    assert.equal(message.error.message, 'Pecta blocked this tool result: marker (marker found)');
    assert.deepEqual(message.error.data.gates[1], { name: 'slow', passed: false, latency_ms: message.error.data.gates[1].latency_ms, reason: 'pecta:aborted', aborted: true });
  });

  it('keeps the order: later server messages wait behind a response under evaluation', async () => {
    const h = harness({ gates: [marker(20)] });
    h.relay.fromClient(call(1));
    h.relay.fromClient(line({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
    h.relay.fromServer(textResult(1, 'BAD'));
    h.relay.fromServer(line({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info' } }));
    h.relay.fromServer(line({ jsonrpc: '2.0', id: 2, result: { tools: [] } }));
    assert.equal(h.toClient.length, 0, 'nothing overtakes the pending evaluation');
    await h.relay.drained();
    const messages = h.clientMessages();
    assert.deepEqual(
      messages.map((m) => m.id ?? m.method),
      [1, 'notifications/message', 2],
    );
    assert.equal(messages[0].error.code, BLOCKED_ERROR_CODE);
  });

  it('keeps the order of two concurrent calls whose evaluations finish in reverse', async () => {
    let n = 0;
    // The first evaluation is slower than the second.
    const gate: Gate = { name: 'varying', run: () => new Promise((r) => setTimeout(() => r({ passed: true }), n++ === 0 ? 30 : 1)) };
    const h = harness({ gates: [gate] });
    h.relay.fromClient(Buffer.concat([call(1), call(2)]));
    h.relay.fromServer(Buffer.concat([textResult(2, 'two'), textResult(1, 'one')]));
    await h.relay.drained();
    assert.deepEqual(h.clientMessages().map((m) => m.id), [2, 1]);
  });

  it('passes everything through unparsed while nothing is gated', async () => {
    const h = harness({ gate: { sampling: false } });
    const bytes = Buffer.from('{"jsonrpc":"2.0","id":1,"result":{"text":"' + EMAIL_TEXT + '"}}\nnot json at all\n\n');
    h.relay.fromServer(bytes);
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(bytes));
    assert.equal(h.decisions.length, 0);
  });

  it('does not gate responses to other requests, or server requests that reuse a pending id', async () => {
    const h = harness();
    h.relay.fromClient(call(1));
    h.relay.fromClient(line({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
    const other = line({ jsonrpc: '2.0', id: 2, result: { tools: [{ name: 'x', description: EMAIL_TEXT }] } });
    const serverRequest = line({ jsonrpc: '2.0', id: 1, method: 'roots/list' });
    h.relay.fromServer(Buffer.concat([other, serverRequest]));
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(Buffer.concat([other, serverRequest])));
    assert.equal(h.relay.pendingCalls, 1, 'the tools/call is still waiting for its own response');
    h.relay.fromServer(textResult(1, EMAIL_TEXT));
    await h.relay.drained();
    assert.equal(h.clientMessages()[2].error.code, BLOCKED_ERROR_CODE);
  });

  it('tells string ids apart exactly when they are not numbers', async () => {
    const h = harness();
    h.relay.fromClient(call('a1'));
    const other = line({ jsonrpc: '2.0', id: 'A1', result: { content: [{ type: 'text', text: EMAIL_TEXT }] } });
    h.relay.fromServer(other);
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(other), '"A1" is not "a1"');
    assert.equal(h.relay.pendingCalls, 1);
  });

  it('evaluates a second response under an answered id too, and marks it a duplicate', async () => {
    const h = harness({ gates: [marker()] });
    h.relay.fromClient(call(1));
    const first = textResult(1, 'fine');
    h.relay.fromServer(first);
    h.relay.fromServer(textResult(1, 'BAD'));
    await h.relay.drained();
    assert.deepEqual(h.decisions.map((d) => d.duplicate), [false, true]);
    assert.ok(Buffer.concat(h.toClient).subarray(0, first.length).equals(first));
    assert.equal(h.clientMessages()[1].error.code, BLOCKED_ERROR_CODE);
  });

  it('gates tool errors (isError) and JSON-RPC errors too', async () => {
    const h = harness();
    h.relay.fromClient(Buffer.concat([call(1), call(2), call(3)]));
    h.relay.fromServer(textResult(1, `Error: no access for ${EMAIL_TEXT}`, { isError: true }));
    h.relay.fromServer(line({ jsonrpc: '2.0', id: 2, error: { code: -32602, message: `bad path ${EMAIL_TEXT}` } }));
    const plainError = line({ jsonrpc: '2.0', id: 3, error: { code: -32602, message: 'Unknown tool: nope' } });
    h.relay.fromServer(plainError);
    await h.relay.drained();
    const [one, two, three] = h.clientMessages();
    assert.equal(one.error.code, BLOCKED_ERROR_CODE);
    assert.equal(two.error.code, BLOCKED_ERROR_CODE);
    assert.deepEqual(three, JSON.parse(plainError.toString()));
    assert.deepEqual(h.decisions.map((d) => d.kind), ['tool-error', 'rpc-error', 'rpc-error']);
  });

  it('replies with the terminator the server used (CRLF stays CRLF)', async () => {
    const h = harness();
    h.relay.fromClient(Buffer.concat([call(1), call(2)]));
    const passing = textResult(2, 'all good', {});
    const passingCrlf = Buffer.from(passing.toString().replace(/\n$/, '\r\n'));
    h.relay.fromServer(line({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: EMAIL_TEXT }] } }, '\r\n'));
    h.relay.fromServer(passingCrlf);
    await h.relay.drained();
    const text = h.clientText();
    assert.ok(text.endsWith(passingCrlf.toString()));
    const first = text.slice(0, text.length - passingCrlf.length);
    assert.ok(first.endsWith('}\r\n') && !first.slice(0, -2).includes('\n'));
    assert.equal(JSON.parse(first).error.code, BLOCKED_ERROR_CODE);
  });

  it('gates a response delivered one byte at a time', async () => {
    const h = harness();
    h.relay.fromClient(call(1));
    const response = textResult(1, 'rm -rf / --no-preserve-root');
    for (const b of response) h.relay.fromServer(Buffer.from([b]));
    await h.relay.drained();
    const [message] = h.clientMessages();
    assert.match(message.error.message, /^Pecta blocked this tool result: filesystem \(/);
  });

  it('gates a multi-megabyte response and forwards a passing one byte for byte', async () => {
    // About byte-for-byte forwarding, not speed: a budget a loaded machine cannot miss on 2 MB.
    const h = harness({ engine: createEngine({ gates: defaultGates(), timeout: 10_000 }) });
    h.relay.fromClient(Buffer.concat([call(1), call(2)]));
    const big = 'lorem ipsum dolor sit amet '.repeat(80_000); // ≈2 MB
    const passing = textResult(1, big);
    const failing = textResult(2, big + EMAIL_TEXT);
    for (let i = 0; i < passing.length; i += 65536) h.relay.fromServer(passing.subarray(i, i + 65536));
    for (let i = 0; i < failing.length; i += 65536) h.relay.fromServer(failing.subarray(i, i + 65536));
    await h.relay.drained();
    const out = Buffer.concat(h.toClient);
    assert.ok(out.subarray(0, passing.length).equals(passing));
    const rest = JSON.parse(out.subarray(passing.length).toString());
    assert.equal(rest.error.code, BLOCKED_ERROR_CODE);
  });

  it('gates a final response that arrives without its newline when the server ends', async () => {
    const h = harness();
    h.relay.fromClient(call(1));
    h.relay.fromServer(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: EMAIL_TEXT }] } })));
    assert.equal(h.toClient.length, 0);
    h.relay.serverEnded();
    await h.relay.drained();
    assert.equal(h.clientMessages()[0].error.code, BLOCKED_ERROR_CODE);
  });

  it('still gates a late response after the client cancelled the request', async () => {
    const h = harness();
    h.relay.fromClient(call(1));
    h.relay.fromClient(line({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } }));
    h.relay.fromServer(textResult(1, EMAIL_TEXT));
    await h.relay.drained();
    assert.equal(h.clientMessages()[0].error.code, BLOCKED_ERROR_CODE);
  });

  it('forgets the oldest outstanding call past maxPendingCalls', () => {
    const h = harness({ maxPendingCalls: 3 });
    for (let id = 1; id <= 5; id++) h.relay.fromClient(call(id));
    assert.equal(h.relay.pendingCalls, 3);
    assert.equal(h.relay.counts.forgotten, 2);
  });
});

describe('Relay: batches', () => {
  it('forwards a batch unchanged when every tools/call response in it passes', async () => {
    const h = harness();
    h.relay.fromClient(line([
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'a' } },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'b' } },
    ]));
    const batch = Buffer.from('[ {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"one"}]}} , {"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"two"}]}} ]\n');
    h.relay.fromServer(batch);
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(batch));
    assert.deepEqual(h.decisions.map((d) => d.result.tool), ['a', 'b']);
  });

  it('replaces only the failing responses of a batch', async () => {
    const h = harness();
    h.relay.fromClient(line([
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'a' } },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'b' } },
      { jsonrpc: '2.0', id: 3, method: 'tools/list' },
    ]));
    const ok = { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'fine' }] } };
    const bad = { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: EMAIL_TEXT }] } };
    const list = { jsonrpc: '2.0', id: 3, result: { tools: [] } };
    h.relay.fromServer(line([ok, bad, list]));
    await h.relay.drained();
    const [batch] = h.clientMessages();
    assert.equal(batch.length, 3);
    assert.deepEqual(batch[0], ok);
    assert.equal(batch[1].id, 2);
    assert.equal(batch[1].error.code, BLOCKED_ERROR_CODE);
    assert.deepEqual(batch[2], list);
    assert.ok(!h.clientText().includes('jane.doe'));
  });
});

describe('Relay: agent id, tool name, latency, dry run', () => {
  const initialize = line({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } } });
  const initialized = (name: unknown) =>
    line({ jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name, version: '1' } } });

  it('uses the fallback until initialize is answered, then the server name; the response itself is untouched', async () => {
    const h = harness({ fallbackAgentId: 'node' });
    assert.equal(h.relay.agentId, 'node');
    h.relay.fromClient(initialize);
    const response = initialized('files-server');
    h.relay.fromServer(response);
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(response));
    assert.equal(h.relay.agentId, 'files-server');
    h.relay.fromClient(call(1, 'list_directory'));
    h.clock.now += 12.5;
    h.relay.fromServer(textResult(1, 'a.txt'));
    await h.relay.drained();
    const result = h.decisions[0]!.result;
    assert.equal(result.agent_id, 'files-server');
    assert.equal(result.tool, 'list_directory');
    assert.equal(result.latency_ms, 12.5);
  });

  it('keeps an explicit agent id over the server name, and ignores a blank server name', async () => {
    const fixed = harness({ agentId: 'my-agent' });
    fixed.relay.fromClient(initialize);
    fixed.relay.fromServer(initialized('files-server'));
    assert.equal(fixed.relay.agentId, 'my-agent');
    const blank = harness({ fallbackAgentId: 'npx' });
    blank.relay.fromClient(initialize);
    blank.relay.fromServer(initialized('  '));
    assert.equal(blank.relay.agentId, 'npx');
  });

  it('caps long server and tool names at 200 characters', async () => {
    const h = harness();
    h.relay.fromClient(initialize);
    h.relay.fromServer(initialized('s'.repeat(300)));
    h.relay.fromClient(call(1, 't'.repeat(300)));
    h.relay.fromServer(textResult(1, 'ok'));
    await h.relay.drained();
    assert.equal(h.decisions[0]!.result.agent_id.length, 200);
    assert.equal(h.decisions[0]!.result.tool!.length, 200);
  });

  it('dry run: a failing result is forwarded unchanged and reported as not blocked', async () => {
    const h = harness({ dryRun: true });
    h.relay.fromClient(call(1));
    const response = textResult(1, EMAIL_TEXT);
    h.relay.fromServer(response);
    await h.relay.drained();
    assert.ok(Buffer.concat(h.toClient).equals(response));
    assert.equal(h.decisions[0]!.result.passed, false);
    assert.equal(h.decisions[0]!.blocked, false);
    assert.equal(h.decisions[0]!.dryRun, true);
    assert.equal(h.relay.counts.blocked, 0);
  });

  it('keeps relaying when the decision callback throws', async () => {
    const h = harness({ onDecision: () => { throw new Error('log disk full'); } });
    h.relay.fromClient(Buffer.concat([call(1), call(2)]));
    h.relay.fromServer(Buffer.concat([textResult(1, 'one'), textResult(2, 'two')]));
    await h.relay.drained();
    assert.deepEqual(h.clientMessages().map((m) => m.id), [1, 2]);
  });
});
