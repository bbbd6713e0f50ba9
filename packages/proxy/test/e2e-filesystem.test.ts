/**
 * End to end: the real @modelcontextprotocol/server-filesystem, wrapped by the proxy CLI, driven by the official SDK
 * client — compared with the same server used directly.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { CLI_NODE_ARGS, FILESYSTEM_SERVER, INITIALIZE, startProcess, startProxy, toolCall } from './helpers/proxy.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const EMAIL = 'jane.doe@example.org';

let files: string;
let home: string;
before(() => {
  // realpath: the server compares paths after resolving symlinks (macOS /var → /private/var).
  files = realpathSync(mkdtempSync(join(tmpdir(), 'pecta-proxy-fs-')));
  home = mkdtempSync(join(tmpdir(), 'pecta-proxy-home-'));
  writeFileSync(join(files, 'notes.txt'), 'Meeting notes\nThe build passed on Tuesday; ship it on Friday.\n');
  writeFileSync(join(files, 'contacts.txt'), `Escalations go to ${EMAIL} after 6pm.\n`);
  writeFileSync(join(files, 'cleanup.sh'), '#!/bin/sh\n# reset the sandbox\nrm -rf /\n');
});
after(() => {
  rmSync(files, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

async function connect(proxyFlags: string[] | null, env: Record<string, string> = {}): Promise<Client> {
  const server = [FILESYSTEM_SERVER, files];
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: proxyFlags === null ? server : [...CLI_NODE_ARGS, ...proxyFlags, process.execPath, ...server],
    env: { ...getDefaultEnvironment(), PECTA_HOME: home, ...env },
    cwd: ROOT,
    stderr: 'pipe',
  });
  transport.stderr?.on('data', () => {}); // drained, not shown
  const client = new Client({ name: 'pecta-e2e', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

function readLog(): Record<string, unknown>[] {
  const dir = join(home, 'logs');
  return readdirSync(dir)
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'))
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const read = (client: Client, name: string) => client.callTool({ name: 'read_text_file', arguments: { path: join(files, name) } });

describe('proxy around server-filesystem, driven by the SDK client', () => {
  let direct: Client;
  let proxied: Client;
  before(async () => {
    [direct, proxied] = await Promise.all([connect(null), connect([])]);
  });
  after(async () => {
    await Promise.all([direct.close(), proxied.close()]);
  });

  it('initialize passes unchanged', () => {
    assert.deepEqual(proxied.getServerVersion(), direct.getServerVersion());
    assert.deepEqual(proxied.getServerCapabilities(), direct.getServerCapabilities());
    assert.equal(proxied.getInstructions(), direct.getInstructions());
    assert.equal(proxied.getServerVersion()?.name, 'secure-filesystem-server');
  });

  it('tools/list passes unchanged', async () => {
    const [a, b] = await Promise.all([direct.listTools(), proxied.listTools()]);
    assert.deepEqual(b, a);
    assert.ok(b.tools.some((t) => t.name === 'read_text_file'));
  });

  it('reading an ordinary file gives exactly what the server gives directly', async () => {
    const [a, b] = await Promise.all([read(direct, 'notes.txt'), read(proxied, 'notes.txt')]);
    assert.deepEqual(b, a);
    assert.match(JSON.stringify(b), /The build passed on Tuesday/);
  });

  it('reading a file with an email address is blocked with -32000', async () => {
    const directResult = await read(direct, 'contacts.txt');
    assert.match(JSON.stringify(directResult), /jane\.doe/, 'the server itself returns the address');
    await assert.rejects(read(proxied, 'contacts.txt'), (error: unknown) => {
      assert.ok(error instanceof McpError);
      assert.equal(error.code, -32000);
      assert.match(error.message, /Pecta blocked this tool result: pii \(email address detected in output\)/);
      const data = error.data as { evaluation_id: string; gates: { name: string; passed: boolean }[] };
      assert.match(data.evaluation_id, /^ev_/);
      assert.deepEqual(data.gates.filter((g) => !g.passed).map((g) => g.name), ['pii']);
      assert.ok(!JSON.stringify({ message: error.message, data }).includes('jane.doe'));
      return true;
    });
  });

  it('reading a script with an `rm -rf /` line is blocked with -32000', async () => {
    await assert.rejects(read(proxied, 'cleanup.sh'), (error: unknown) => {
      assert.ok(error instanceof McpError);
      assert.equal(error.code, -32000);
      assert.match(error.message, /Pecta blocked this tool result: filesystem \(/);
      return true;
    });
  });

  it('the proxy keeps working after a blocked call', async () => {
    const [a, b] = await Promise.all([direct.callTool({ name: 'list_directory', arguments: { path: files } }), proxied.callTool({ name: 'list_directory', arguments: { path: files } })]);
    assert.deepEqual(b, a);
  });

  it('logs each decision as metadata only, under the server name, by the time it exits', async () => {
    await proxied.close(); // waits for the proxy process to exit: the log is flushed on the way out
    const entries = readLog().filter((e) => e.dry_run === false);
    assert.deepEqual(
      entries.map((e) => [e.tool, e.action]),
      [
        ['read_text_file', 'allowed'],
        ['read_text_file', 'blocked'],
        ['read_text_file', 'blocked'],
        ['list_directory', 'allowed'],
      ],
    );
    for (const e of entries) {
      assert.equal(e.agent_id, 'secure-filesystem-server');
      assert.equal(typeof e.latency_ms, 'number');
      assert.equal(typeof e.total_latency_ms, 'number');
      assert.match(String(e.evaluation_id), /^ev_/);
    }
    const text = readFileSync(join(home, 'logs', readdirSync(join(home, 'logs'))[0]!), 'utf8');
    for (const secret of ['jane.doe', 'Tuesday', 'rm -rf', 'notes.txt', 'contacts.txt', files]) assert.ok(!text.includes(secret), secret);
  });
});

describe('--dry-run', () => {
  it('lets a failing result through unchanged and logs it as flagged', async () => {
    const [direct, shadow] = await Promise.all([connect(null), connect(['--dry-run', '--agent-id', 'shadow-files'])]);
    try {
      const [a, b] = await Promise.all([read(direct, 'contacts.txt'), read(shadow, 'contacts.txt')]);
      assert.deepEqual(b, a);
    } finally {
      await Promise.all([direct.close(), shadow.close()]);
    }
    const entries = readLog().filter((e) => e.agent_id === 'shadow-files');
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.passed, false);
    assert.equal(entries[0]!.action, 'flagged');
    assert.equal(entries[0]!.dry_run, true);
    assert.deepEqual((entries[0]!.gates as { name: string; passed: boolean }[]).map((g) => [g.name, g.passed]), [
      ['filesystem', true],
      ['pii', false],
      ['content', true],
      ['commands', true],
    ]);
  });
});

describe('byte for byte', () => {
  it('initialize, tools/list and a passing read are the exact bytes the server wrote', async () => {
    const server = [FILESYSTEM_SERVER, files];
    const direct = startProcess(process.execPath, server);
    const proxied = startProxy(['--no-log'], [process.execPath, ...server]);
    const exchange: Record<string, unknown>[] = [
      INITIALIZE,
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      toolCall(2, 'read_text_file', { path: join(files, 'notes.txt') }),
      toolCall(3, 'get_file_info', { path: join(files, 'notes.txt') }),
    ];
    try {
      for (const message of exchange) {
        direct.send(message);
        proxied.send(message);
        if (!('id' in message)) continue;
        const [a, b] = await Promise.all([direct.nextLine(), proxied.nextLine()]);
        assert.equal(b, a, `response to ${JSON.stringify(message).slice(0, 60)}`);
      }
    } finally {
      direct.child.stdin.end();
      proxied.child.stdin.end();
      await Promise.all([direct.exited, proxied.exited]);
    }
  });
});
