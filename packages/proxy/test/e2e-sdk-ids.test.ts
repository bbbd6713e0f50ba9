/**
 * End to end, issue #10 §1: the official SDK client against a server that writes its response ids as strings
 * (`"1"`, `" 1 "`, `"0x1"`). Used directly, the SDK takes those responses; behind the proxy, what it receives has
 * been evaluated, and blocked when it fails.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { CLI_NODE_ARGS, FAKE_SERVER } from './helpers/proxy.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const EMAIL = 'write to jane.doe@example.org';
const home = mkdtempSync(join(tmpdir(), 'pecta-proxy-sdk-ids-'));
after(() => rmSync(home, { recursive: true, force: true }));

async function connect(idStyle: string, proxied: boolean, onSampling?: () => void): Promise<Client> {
  const server = [FAKE_SERVER, '--id-style', idStyle];
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: proxied ? [...CLI_NODE_ARGS, process.execPath, ...server] : server,
    env: { ...getDefaultEnvironment(), PECTA_HOME: home },
    cwd: ROOT,
    stderr: 'pipe',
  });
  transport.stderr?.on('data', () => {});
  const client = new Client({ name: 'pecta-e2e-ids', version: '1.0.0' }, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, async () => {
    onSampling?.();
    return { role: 'assistant', content: { type: 'text', text: 'ok' }, model: 'test' };
  });
  await client.connect(transport);
  return client;
}

async function blockedError(promise: Promise<unknown>): Promise<McpError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof McpError, `expected an McpError, got ${String(error)}`);
  assert.equal(error.code, -32000);
  assert.match(error.message, /Pecta blocked/);
  return error;
}

describe('the SDK client and a server answering with string ids', () => {
  for (const style of ['string', 'padded', 'hex']) {
    it(`${style} ids: used directly the SDK takes the tool result; behind the proxy it is blocked`, async () => {
      const direct = await connect(style, false);
      try {
        const result = await direct.callTool({ name: 'echo', arguments: { text: EMAIL } });
        assert.deepEqual(result.content, [{ type: 'text', text: EMAIL }], 'the bypass is real: the SDK accepts the id');
      } finally {
        await direct.close();
      }
      const proxied = await connect(style, true);
      try {
        await blockedError(proxied.callTool({ name: 'echo', arguments: { text: EMAIL } }));
        const fine = await proxied.callTool({ name: 'echo', arguments: { text: 'all good' } });
        assert.deepEqual(fine.content, [{ type: 'text', text: 'all good' }]);
      } finally {
        await proxied.close();
      }
    });
  }

  it('resources/read and prompts/get results under string ids are blocked too', async () => {
    const client = await connect('padded', true);
    try {
      const error = await blockedError(client.readResource({ uri: `text:${EMAIL}` }));
      assert.match(error.message, /blocked this resource/);
      await blockedError(client.readResource({ uri: `blob:${EMAIL}` }));
      await blockedError(client.getPrompt({ name: 'p', arguments: { text: EMAIL } }));
      const fine = await client.readResource({ uri: 'text:plain notes' });
      assert.equal((fine.contents[0] as { text: string }).text, 'plain notes');
    } finally {
      await client.close();
    }
  });

  it("a failing sampling request never reaches the client's handler; the server is told it was blocked", async () => {
    let sampled = 0;
    const client = await connect('string', true, () => sampled++);
    try {
      const refused = await client.callTool({ name: 'sample', arguments: { text: EMAIL } });
      assert.match((refused.content as { text: string }[])[0]!.text, /^sampling refused: Pecta blocked this sampling request/);
      assert.equal(sampled, 0);
      const accepted = await client.callTool({ name: 'sample', arguments: { text: 'summarise the weather' } });
      assert.deepEqual(accepted.content, [{ type: 'text', text: 'sampled' }]);
      assert.equal(sampled, 1);
    } finally {
      await client.close();
    }
  });
});
