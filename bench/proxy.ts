/**
 * Latency the MCP proxy adds to a tools/call (issue #4). Not a test: prints numbers.
 *   npm run bench:proxy            full run
 *   npm run bench:proxy -- --quick fewer calls
 * A tiny fake MCP server (packages/proxy/test/fixtures/fake-mcp-server.mjs) answers tools/call at once with a fixed
 * text of the chosen size, so what differs between "direct" and "through the proxy" is the proxy alone: one more
 * pipe hop each way, framing, parsing the response, the default gate suite (filesystem + pii + content) and the
 * decision log. Calls are sequential (one in flight) and alternate between the two servers so that drift in machine
 * load hits both alike.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineSplitter } from '../packages/proxy/src/framing.js';

const quick = process.argv.includes('--quick');
const WARMUP = quick ? 100 : 300;
const CALLS = quick ? 300 : 1000;
const SIZES = [
  { label: 'small (64 B text)', bytes: 64 },
  { label: '100 KB text', bytes: 100 * 1024 },
];

const FAKE = fileURLToPath(new URL('../packages/proxy/test/fixtures/fake-mcp-server.mjs', import.meta.url));
const CLI = fileURLToPath(new URL('../packages/proxy/src/main.ts', import.meta.url));

class Endpoint {
  private readonly waiters: ((line: Buffer) => void)[] = [];
  private nextId = 1;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    const splitter = new LineSplitter((line) => this.waiters.shift()?.(Buffer.from(line)));
    child.stdout.on('data', (chunk: Buffer) => splitter.push(chunk));
    child.stderr.resume();
  }

  request(method: string, params: unknown): Promise<Buffer> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params })}\n`);
    });
  }

  /** Milliseconds from writing a tools/call to having its whole response line. */
  async timedCall(): Promise<number> {
    const t0 = performance.now();
    const line = await this.request('tools/call', { name: 'fixed', arguments: {} });
    const elapsed = performance.now() - t0;
    if (line.includes('"error"')) throw new Error(`unexpected error response: ${line.subarray(0, 300).toString()}`);
    return elapsed;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('close', resolve));
    this.child.stdin.end();
    await exited;
  }
}

async function start(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Endpoint> {
  const endpoint = new Endpoint(spawn(command, args, { env: { ...process.env, ...env }, stdio: 'pipe' }));
  await endpoint.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
  return endpoint;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

const ms = (v: number) => `${v.toFixed(3)} ms`;

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'pecta-bench-proxy-'));
  const rows: string[] = [];
  try {
    for (const size of SIZES) {
      const server = [FAKE, '--text-bytes', String(size.bytes)];
      const direct = await start(process.execPath, server, {});
      const proxied = await start(process.execPath, ['--conditions=development', '--import', 'tsx', CLI, process.execPath, ...server], { PECTA_HOME: home });
      for (let i = 0; i < WARMUP; i++) {
        await direct.timedCall();
        await proxied.timedCall();
      }
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        a.push(await direct.timedCall());
        b.push(await proxied.timedCall());
      }
      await Promise.all([direct.close(), proxied.close()]);
      a.sort((x, y) => x - y);
      b.sort((x, y) => x - y);
      const [d50, d99, p50, p99] = [percentile(a, 50), percentile(a, 99), percentile(b, 50), percentile(b, 99)];
      rows.push(`| ${size.label} | ${ms(d50)} | ${ms(d99)} | ${ms(p50)} | ${ms(p99)} | **${ms(p50 - d50)}** | ${ms(p99 - d99)} |`);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  console.log(`pecta-proxy overhead per tools/call — ${CALLS} sequential calls after ${WARMUP} warm-up, Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}`);
  console.log('Default gates (filesystem + pii + content), decision log on. Target: ≤ 1 ms added at p50 for small responses.\n');
  console.log('| response | direct p50 | direct p99 | proxy p50 | proxy p99 | added p50 | added p99 |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
}

await main();
