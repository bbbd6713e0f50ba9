/** Exit codes, signals, stdin/stdout life cycle and start-up failures of the real CLI around a fake MCP server. */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { createEngine, defaultGates, type EvaluationResult } from '@pecta/core';
import { runProxy } from '../src/proxy.js';
import type { TelemetrySink } from '../src/telemetry.js';
import { FAKE_SERVER, INITIALIZE, startProxy, toolCall } from './helpers/proxy.js';

const home = mkdtempSync(join(tmpdir(), 'pecta-proxy-process-'));
after(() => rmSync(home, { recursive: true, force: true }));
const env = { PECTA_HOME: home };
const fake = (...args: string[]) => [process.execPath, FAKE_SERVER, ...args];

describe('exit codes', () => {
  it("exits with the server's own exit code when the server exits by itself", async () => {
    const proxy = startProxy([], fake('--exit-after', '300', '--exit-code', '3'), env);
    assert.deepEqual(await proxy.exited, { code: 3, signal: null });
  });

  it('relays and gates a response the server wrote just before exiting', async () => {
    const proxy = startProxy([], fake('--exit-code', '9'), env);
    await proxy.request(INITIALIZE);
    proxy.send(toolCall(1, 'reply_then_exit', { text: 'write to jane.doe@example.org' }));
    const { code } = await proxy.exited;
    assert.equal(code, 9);
    const last = JSON.parse(proxy.stdout().toString('utf8').trim().split('\n').at(-1)!);
    assert.equal(last.id, 1);
    assert.equal(last.error.code, -32000);
  });

  it('passes a clean last response through before exiting', async () => {
    const proxy = startProxy([], fake('--exit-code', '0'), env);
    await proxy.request(INITIALIZE);
    proxy.send(toolCall(1, 'reply_then_exit', { text: 'bye for now' }));
    assert.equal((await proxy.exited).code, 0);
    const last = JSON.parse(proxy.stdout().toString('utf8').trim().split('\n').at(-1)!);
    assert.deepEqual(last.result.content, [{ type: 'text', text: 'bye for now' }]);
  });

  it('closes the server stdin when our stdin closes, and exits with its code', async () => {
    const proxy = startProxy([], fake('--stdin-close-exit', '5'), env);
    await proxy.request(INITIALIZE);
    proxy.child.stdin.end();
    assert.deepEqual(await proxy.exited, { code: 5, signal: null });
  });
});

describe('line cap (--max-line-bytes)', () => {
  it('an over-long server line ends the session: the pending call gets an error, stderr says why, exit 1', async () => {
    // --ignore-stdin-close: the proxy stops the server itself rather than waiting for it to notice.
    const proxy = startProxy(['--max-line-bytes', '2048'], fake('--big-line', '100000', '--ignore-stdin-close'), env);
    await proxy.request(INITIALIZE);
    const answer = await proxy.request(toolCall(7, 'big'));
    assert.equal(answer.id, 7);
    assert.equal(answer.error.code, -32000);
    assert.match(answer.error.message, /the MCP server sent a line longer than 2048 bytes/);
    assert.deepEqual(await proxy.exited, { code: 1, signal: null });
    assert.match(proxy.stderr(), /pecta-proxy: the MCP server sent a line longer than 2048 bytes \(--max-line-bytes\); ending the session/);
    assert.ok(!proxy.stdout().toString().includes('xxxx'), 'no part of the long line reached the client');
  });

  it('an over-long client line ends the session too, and is not forwarded to the server', async () => {
    const proxy = startProxy(['--max-line-bytes', '2048'], fake('--ignore-stdin-close'), env);
    await proxy.request(INITIALIZE);
    proxy.child.stdin.write(`{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":{"text":"${'y'.repeat(5000)}"}}}\n`);
    assert.deepEqual(await proxy.exited, { code: 1, signal: null });
    assert.match(proxy.stderr(), /pecta-proxy: the client sent a line longer than 2048 bytes/);
    assert.ok(!proxy.stdout().toString().includes('yyyy'));
  });
});

describe('signals', () => {
  for (const [signal, code] of [['SIGTERM', 42], ['SIGINT', 43], ['SIGHUP', 44]] as const) {
    it(`forwards ${signal} to the server and exits with the code it chose`, async () => {
      const proxy = startProxy([], fake('--on-signal', String(code)), env);
      await proxy.request(INITIALIZE); // the server is up and the proxy's handlers are installed
      proxy.child.kill(signal);
      assert.deepEqual(await proxy.exited, { code, signal: null });
      assert.match(proxy.stderr(), new RegExp(`fake: got ${signal}`));
    });
  }

  it('exits with 128 + the signal number when the signal kills the server', async () => {
    const proxy = startProxy([], fake(), env);
    await proxy.request(INITIALIZE);
    proxy.child.kill('SIGTERM');
    assert.deepEqual(await proxy.exited, { code: 143, signal: null });
  });
});

describe('stderr and start-up', () => {
  it("passes the server's stderr through", async () => {
    const proxy = startProxy([], fake('--stderr', 'fake: diagnostics for the client log'), env);
    await proxy.request(INITIALIZE);
    proxy.child.stdin.end();
    await proxy.exited;
    assert.match(proxy.stderr(), /fake: diagnostics for the client log/);
  });

  it('prints one line per evaluation with --verbose', async () => {
    const proxy = startProxy(['--verbose', '--no-log'], fake('--name', 'verbose-server'), env);
    await proxy.request(INITIALIZE);
    await proxy.request(toolCall(1, 'echo', { text: 'all fine' }));
    await proxy.request(toolCall(2, 'echo', { text: 'mail jane.doe@example.org' }));
    proxy.child.stdin.end();
    await proxy.exited;
    const lines = proxy.stderr().split('\n').filter((l) => l.startsWith('pecta-proxy: verbose-server/echo'));
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /passed/);
    assert.match(lines[1]!, /BLOCKED: pii \(email address detected in output\)/);
    assert.ok(!proxy.stderr().includes('jane.doe'));
  });

  it('exits 127 with a clear message when the server command does not exist', async () => {
    const proxy = startProxy([], ['pecta-no-such-command-xyz', '--flag'], env);
    assert.equal((await proxy.exited).code, 127);
    assert.match(proxy.stderr(), /cannot start the MCP server "pecta-no-such-command-xyz": command not found \(ENOENT\)/);
  });

  it('exits 1 when the server command cannot be executed', async () => {
    const script = join(home, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    const proxy = startProxy([], [script], env);
    assert.equal((await proxy.exited).code, 1);
    assert.match(proxy.stderr(), /permission denied \(EACCES\)/);
  });

  it('exits 2 on usage errors, before starting anything', async () => {
    const none = startProxy([], [], env);
    assert.equal((await none.exited).code, 2);
    assert.match(none.stderr(), /missing the MCP server command[\s\S]*pecta-proxy --help/);
    const unknown = startProxy(['--gates', 'x'], fake(), env);
    assert.equal((await unknown.exited).code, 2);
    assert.match(unknown.stderr(), /unknown option --gates/);
  });

  it('exits 2 naming the bad field of a config file', async () => {
    const config = join(home, 'bad-config.json');
    writeFileSync(config, JSON.stringify({ gates: { pii: { phone: 'off' } } }));
    const proxy = startProxy(['--config', config], fake('--stderr', 'SERVER STARTED'), env);
    assert.equal((await proxy.exited).code, 2);
    assert.match(proxy.stderr(), /bad-config\.json: "gates\.pii": .*phone/);
    assert.ok(!proxy.stderr().includes('SERVER STARTED'));
  });

  it('prints the usage on --help and exits 0', async () => {
    const proxy = startProxy(['--help'], [], env);
    assert.equal((await proxy.exited).code, 0);
    assert.match(proxy.stdout().toString(), /Usage:\n {2}pecta-proxy \[options\] \[--\] <server command>/);
  });

  it('writes no decision log with --no-log', async () => {
    const quiet = mkdtempSync(join(tmpdir(), 'pecta-proxy-nolog-'));
    try {
      const proxy = startProxy(['--no-log'], fake(), { PECTA_HOME: quiet });
      await proxy.request(INITIALIZE);
      await proxy.request(toolCall(1, 'echo', { text: 'hello' }));
      proxy.child.stdin.end();
      await proxy.exited;
      assert.equal(existsSync(join(quiet, 'logs')), false);
    } finally {
      rmSync(quiet, { recursive: true, force: true });
    }
  });
});

describe('stopping a server that ignores the closed stdin (in process)', () => {
  async function run(serverArgs: string[]): Promise<{ code: number; stdout: string }> {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.resume();
    const done = runProxy({
      command: process.execPath,
      args: [FAKE_SERVER, '--ignore-stdin-close', ...serverArgs],
      engine: createEngine({ gates: defaultGates() }),
      io: { stdin, stdout, stderr },
      stdinCloseGraceMs: 100,
      killGraceMs: 100,
    });
    stdin.write(`${JSON.stringify(INITIALIZE)}\n`);
    await new Promise<void>((resolve) => stdout.once('data', () => resolve()));
    stdin.end();
    return { code: await done, stdout: out };
  }

  it('sends SIGTERM after the grace period', async () => {
    const { code, stdout } = await run([]);
    assert.equal(code, 143);
    assert.match(stdout, /"serverInfo":\{"name":"fake-mcp"/);
  });

  it('sends SIGKILL when SIGTERM is ignored too', async () => {
    const { code } = await run(['--ignore-sigterm']);
    assert.equal(code, 137);
  });
});

describe('telemetry wiring (in process)', () => {
  async function session(telemetry: TelemetrySink, shutdownTimeoutMs = 5000): Promise<{ code: number; stderr: string }> {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const lines: string[] = [];
    let buffered = '';
    const waiters: (() => void)[] = [];
    stdout.on('data', (c: Buffer) => {
      buffered += c.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      lines.push(...parts);
      waiters.splice(0).forEach((w) => w());
    });
    const until = (n: number) => new Promise<void>((resolve) => {
      const check = () => (lines.length >= n ? resolve() : waiters.push(check));
      check();
    });
    const done = runProxy({
      command: process.execPath,
      args: [FAKE_SERVER, '--name', 'tel-server'],
      engine: createEngine({ gates: defaultGates() }),
      telemetry,
      io: { stdin, stdout, stderr },
      shutdownTimeoutMs,
    });
    stdin.write(`${JSON.stringify(INITIALIZE)}\n`);
    stdin.write(`${JSON.stringify(toolCall(1, 'echo', { text: 'fine' }))}\n`);
    stdin.write(`${JSON.stringify(toolCall(2, 'echo', { text: 'mail jane.doe@example.org' }))}\n`);
    await until(3);
    stdin.end();
    const code = await done;
    return { code, stderr: err };
  }

  it('tracks every decision without gate details, under the server name, and shuts the sink down', async () => {
    const tracked: EvaluationResult[] = [];
    const shutdowns: ({ timeoutMs?: number } | undefined)[] = [];
    const { code } = await session(
      {
        track: (r) => tracked.push(r),
        shutdown: async (options) => {
          shutdowns.push(options);
        },
      },
      1234,
    );
    assert.equal(code, 0);
    // The sink gets the proxy's own deadline, so it can count what is left as dropped instead of carrying on.
    assert.deepEqual(shutdowns, [{ timeoutMs: 1234 }]);
    assert.deepEqual(tracked.map((r) => [r.agent_id, r.tool, r.passed]), [
      ['tel-server', 'echo', true],
      ['tel-server', 'echo', false],
    ]);
    for (const r of tracked) for (const g of r.gates) assert.equal('details' in g, false);
  });

  it('stops waiting for a sink that never finishes, and says what was lost', async () => {
    const { code, stderr } = await session(
      {
        track: () => {},
        shutdown: () => new Promise(() => {}),
        stats: () => ({ sent: 0, dropped: 0, failed: 0, sampledOut: 0, pending: 2 }),
      },
      200,
    );
    assert.equal(code, 0);
    assert.match(stderr, /stopped waiting for the decision log and telemetry to flush/);
    assert.match(stderr, /telemetry: 0 sent, 0 failed, 0 dropped, 2 not delivered/);
  });
});
