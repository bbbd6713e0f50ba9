/** Runs the proxy CLI from source as a real process, with line-level access to its stdout. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_ENTRY = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
export const FAKE_SERVER = fileURLToPath(new URL('../fixtures/fake-mcp-server.mjs', import.meta.url));
export const FILESYSTEM_SERVER = fileURLToPath(
  new URL('../../../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js', import.meta.url),
);
/** node arguments that run the CLI from TypeScript source. */
export const CLI_NODE_ARGS = ['--conditions=development', '--import', 'tsx', CLI_ENTRY];

export interface RunningProxy {
  child: ChildProcessWithoutNullStreams;
  /** Writes one JSON-RPC message as a line. */
  send(message: unknown): void;
  /** The next complete stdout line (without its newline). */
  nextLine(): Promise<string>;
  /** Sends a request and waits for the next line, parsed. */
  request(message: unknown): Promise<any>;
  stderr(): string;
  stdout(): Buffer;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv = {}): RunningProxy {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: 'pipe' });
  const out: Buffer[] = [];
  let err = '';
  let pending = '';
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out.push(chunk);
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const nextLine = (): Promise<string> =>
    lines.length > 0
      ? Promise.resolve(lines.shift()!)
      : new Promise((resolve, reject) => {
          waiters.push(resolve);
          void exited.then(() => reject(new Error(`process exited before answering; stderr: ${err}`)));
        });
  return {
    child,
    send: (message) => child.stdin.write(`${JSON.stringify(message)}\n`),
    nextLine,
    async request(message) {
      child.stdin.write(`${JSON.stringify(message)}\n`);
      return JSON.parse(await nextLine());
    },
    stderr: () => err,
    stdout: () => Buffer.concat(out),
    exited,
  };
}

/** The proxy CLI wrapping `serverCommand`. */
export function startProxy(flags: string[], serverCommand: string[], env: NodeJS.ProcessEnv = {}): RunningProxy {
  return startProcess(process.execPath, [...CLI_NODE_ARGS, ...flags, ...serverCommand], env);
}

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pecta-test', version: '1.0.0' } },
};

export function toolCall(id: number | string, name: string, args: Record<string, unknown> = {}): Record<string, unknown> {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } };
}
