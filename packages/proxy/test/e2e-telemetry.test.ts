/**
 * End to end with --key: the proxy around the real server-filesystem ships its decisions with PectaTelemetry to a
 * real Pecta API server (in process, on a temporary store), where they show up as events and reputation.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { makeTestApp, type TestApp } from '../../server/test/helpers/app.js';
import { CLI_NODE_ARGS, FILESYSTEM_SERVER } from './helpers/proxy.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('--key ships decisions to the Pecta API', () => {
  let server: TestApp;
  let endpoint: string;
  let files: string;
  let home: string;

  before(async () => {
    server = await makeTestApp();
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    endpoint = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
    files = realpathSync(mkdtempSync(join(tmpdir(), 'pecta-proxy-tel-fs-')));
    home = mkdtempSync(join(tmpdir(), 'pecta-proxy-tel-home-'));
    writeFileSync(join(files, 'notes.txt'), 'Quarterly planning: hire two engineers, ship the dashboard.\n');
    writeFileSync(join(files, 'contacts.txt'), 'Call the owner at jane.doe@example.org\n');
  });
  after(async () => {
    await server.close();
    rmSync(files, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('events and reputation appear for the server agent, with metadata only', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...CLI_NODE_ARGS, '--key', server.a.pk, '--secret-key', server.a.sk, '--endpoint', endpoint, process.execPath, FILESYSTEM_SERVER, files],
      env: { ...getDefaultEnvironment(), PECTA_HOME: home },
      cwd: ROOT,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const client = new Client({ name: 'pecta-e2e', version: '1.0.0' });
    await client.connect(transport);
    const read = (name: string) => client.callTool({ name: 'read_text_file', arguments: { path: join(files, name) } });

    const ok = await read('notes.txt');
    assert.match(JSON.stringify(ok), /Quarterly planning/);
    await assert.rejects(read('contacts.txt'), (e: unknown) => e instanceof McpError && e.code === -32000);
    await client.close(); // the proxy flushes telemetry before it exits

    const agent = 'secure-filesystem-server';
    const events = await server.call('GET', `/v1/events?agent_id=${agent}`, server.a.pk);
    assert.equal(events.statusCode, 200, events.body);
    const body = events.json() as { events: { tool_name: string; passed: boolean; gates: { name: string; passed: boolean; reason?: string }[]; latency_ms: number }[] };
    assert.equal(body.events.length, 2, `stderr of the proxy: ${stderr}`);
    // Newest first.
    const [blocked, passed] = body.events;
    assert.equal(passed!.passed, true);
    assert.equal(blocked!.passed, false);
    for (const e of body.events) {
      assert.equal(e.tool_name, 'read_text_file');
      assert.equal(typeof e.latency_ms, 'number');
      assert.deepEqual(e.gates.map((g) => g.name), ['filesystem', 'pii', 'content', 'commands']);
    }
    assert.equal(blocked!.gates.find((g) => g.name === 'pii')!.reason, 'email address detected in output');
    assert.ok(!events.body.includes('jane.doe') && !events.body.includes('Quarterly'));

    const reputation = await server.call('GET', `/v1/reputation/${agent}`, server.a.pk);
    assert.equal(reputation.statusCode, 200);
    const rep = reputation.json() as { evaluations: number; passed: number };
    assert.equal(rep.evaluations, 2);
    assert.equal(rep.passed, 1);

    // The other organisation sees nothing of it.
    const other = await server.call('GET', `/v1/events?agent_id=${agent}`, server.b.pk);
    assert.equal((other.json() as { events: unknown[] }).events.length, 0);
  });
});
