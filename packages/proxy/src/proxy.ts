/**
 * Process wiring: spawns the MCP server, connects it to our stdin/stdout through a Relay, forwards signals, and exits
 * the way the server did.
 *
 * - The server's stderr is inherited: its diagnostics reach the client's log unchanged, at no cost to us.
 * - Backpressure both ways: when one side stops reading, the other side is paused rather than buffered in memory.
 * - SIGINT, SIGTERM and SIGHUP are passed on to the server; we exit when it exits, with its exit code, or 128 + the
 *   signal number when a signal ended it.
 * - Our stdin closes (the client is gone): the server's stdin is closed; if it has not exited after
 *   `stdinCloseGraceMs` it gets SIGTERM, and SIGKILL `killGraceMs` later (the MCP stdio shutdown sequence).
 * - The server exits: its remaining output is relayed, the decision log and telemetry are flushed (at most
 *   `shutdownTimeoutMs`; a signal during that wait cuts it short), and we exit.
 * - A line over the cap from either side: the relay answers the waiting requests with errors, we stop reading both
 *   sides, the server gets SIGTERM at once (SIGKILL `killGraceMs` later), and we exit with EXIT_LINE_TOO_LONG.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { basename, extname } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Engine } from '@pecta/core';
import type { GateSwitches } from './gated.js';
import { publicGates } from './jsonrpc.js';
import { logEntry, verboseLine, type DecisionLog } from './log.js';
import { Relay, type Decision, type Side } from './relay.js';
import type { TelemetrySink } from './telemetry.js';

export interface ProxyIO {
  stdin: Readable;
  stdout: Writable;
  /** Where our own messages go (the server's stderr is inherited by the child directly). */
  stderr: Writable;
}

export interface ProxyOptions {
  command: string;
  args: readonly string[];
  engine: Engine;
  agentId?: string;
  dryRun?: boolean;
  verbose?: boolean;
  gate?: Partial<GateSwitches>;
  maxLineBytes?: number;
  log?: DecisionLog | null;
  telemetry?: TelemetrySink | null;
  io?: ProxyIO;
  stdinCloseGraceMs?: number;
  killGraceMs?: number;
  shutdownTimeoutMs?: number;
}

export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
export const EXIT_COMMAND_NOT_FOUND = 127;
/** The session was ended because a line went over --max-line-bytes; the server's own exit code says nothing then. */
export const EXIT_LINE_TOO_LONG = 1;
/** After the server exited, how long a grandchild may keep its stdout open before we stop waiting for it. */
const STDOUT_LINGER_MS = 2000;

export async function runProxy(options: ProxyOptions): Promise<number> {
  const io = options.io ?? { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  const warn = (message: string): void => {
    io.stderr.write(`${message}\n`);
  };
  const { command } = options;

  let child: ChildProcess;
  try {
    child = spawn(command, options.args, { stdio: ['pipe', 'pipe', 'inherit'], windowsHide: true });
  } catch (error) {
    warn(`pecta-proxy: cannot start "${command}": ${(error as Error).message}`);
    return 1;
  }
  const spawnError = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', resolve);
  });
  if (spawnError !== null) {
    const code = spawnError.code;
    const hint = code === 'ENOENT' ? 'command not found' : code === 'EACCES' ? 'permission denied' : spawnError.message;
    warn(`pecta-proxy: cannot start the MCP server "${command}": ${hint}${code ? ` (${code})` : ''}`);
    return code === 'ENOENT' ? EXIT_COMMAND_NOT_FOUND : 1;
  }
  child.on('error', () => {}); // e.g. kill() on a process that just exited
  warmUp(options.engine);
  const childIn = child.stdin!;
  const childOut = child.stdout!;
  childIn.on('error', () => {}); // EPIPE once the server has exited; its exit is handled below

  let clientGone = false;
  let serverPaused = false;
  let clientPaused = false;
  let exited = false;
  let lineTooLong = false;

  const onDecision = (decision: Decision): void => {
    options.log?.append(logEntry(decision));
    if (options.verbose) warn(verboseLine(decision));
    options.telemetry?.track({ ...decision.result, gates: publicGates(decision.result.gates) });
  };

  const relay = new Relay({
    engine: options.engine,
    agentId: options.agentId,
    fallbackAgentId: basename(command, extname(command)),
    dryRun: options.dryRun ?? false,
    gate: options.gate,
    maxLineBytes: options.maxLineBytes,
    onDecision,
    onLineTooLong: (side, max) => endSession(side, max),
    onUnparseable: () => warn('pecta-proxy: dropped a line from the MCP server that is not JSON (and any later ones)'),
    toServer(chunk) {
      if (childIn.destroyed || childIn.writableEnded) return;
      if (!childIn.write(chunk) && !clientPaused) {
        clientPaused = true;
        io.stdin.pause();
        childIn.once('drain', () => {
          clientPaused = false;
          io.stdin.resume();
        });
      }
    },
    toClient(bytes) {
      if (clientGone) return;
      if (!io.stdout.write(bytes) && !serverPaused) {
        serverPaused = true;
        childOut.pause();
        io.stdout.once('drain', () => {
          serverPaused = false;
          childOut.resume();
        });
      }
    },
  });

  // ---- shutdown sequence when the client goes away ---------------------------------------------------------------
  let termTimer: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  const stopServer = (): void => {
    if (stopping || exited) return;
    stopping = true;
    if (!childIn.destroyed) childIn.end();
    termTimer = setTimeout(() => {
      if (exited) return;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, options.killGraceMs ?? 2000);
    }, options.stdinCloseGraceMs ?? 2000);
  };

  // Nothing more is relayed; the server is stopped without the stdin-close grace, as it may be blocked writing.
  function endSession(side: Side, max: number): void {
    lineTooLong = true;
    const who = side === 'server' ? 'the MCP server' : 'the client';
    warn(`pecta-proxy: ${who} sent a line longer than ${max} bytes (--max-line-bytes); ending the session`);
    io.stdin.pause();
    if (!childOut.destroyed) childOut.resume();
    if (stopping || exited) return;
    stopping = true;
    if (!childIn.destroyed) childIn.end();
    child.kill('SIGTERM');
    killTimer = setTimeout(() => {
      if (!exited) child.kill('SIGKILL');
    }, options.killGraceMs ?? 2000);
  }

  const onClientData = (chunk: Buffer): void => relay.fromClient(chunk);
  const onClientEnd = (): void => {
    relay.clientEnded();
    stopServer();
  };
  const onClientOutError = (): void => {
    clientGone = true; // EPIPE: nobody reads our stdout any more
    if (serverPaused) childOut.resume();
    stopServer();
  };
  io.stdin.on('data', onClientData);
  io.stdin.once('end', onClientEnd);
  io.stdin.once('error', onClientEnd);
  io.stdout.on('error', onClientOutError);

  childOut.on('data', (chunk: Buffer) => {
    // One writev for all the lines of a chunk instead of a write per line.
    io.stdout.cork();
    relay.fromServer(chunk);
    io.stdout.uncork();
  });
  let serverOutputEnded = false;
  const endServerOutput = (): void => {
    if (serverOutputEnded) return;
    serverOutputEnded = true;
    relay.serverEnded();
  };
  childOut.once('end', endServerOutput);

  // Once the server is gone, a signal means "stop now": whatever is still being flushed is abandoned.
  let abandonFlush: () => void = () => {};
  const flushAbandoned = new Promise<void>((resolve) => (abandonFlush = resolve));
  const signalHandlers = FORWARDED_SIGNALS.map((signal) => {
    const handler = (): void => {
      if (!exited) child.kill(signal);
      else abandonFlush();
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });

  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    let linger: NodeJS.Timeout | undefined;
    child.once('exit', (code, signal) => {
      exited = true;
      clearTimeout(termTimer);
      clearTimeout(killTimer);
      // 'close' follows once the server's stdout is drained; a grandchild holding it open must not keep us alive.
      linger = setTimeout(() => {
        childOut.destroy();
        resolve({ code, signal });
      }, STDOUT_LINGER_MS);
    });
    child.once('close', (code, signal) => {
      exited = true;
      clearTimeout(linger);
      resolve({ code, signal });
    });
  });

  endServerOutput();
  io.stdin.off('data', onClientData);
  io.stdin.off('end', onClientEnd);
  io.stdin.off('error', onClientEnd);
  io.stdin.pause();
  if (io.stdin === process.stdin) process.stdin.destroy();

  const shutdownTimeout = options.shutdownTimeoutMs ?? 5000;
  await withTimeout(relay.drained(), shutdownTimeout, flushAbandoned);
  await withTimeout(flushed(io.stdout, clientGone), shutdownTimeout, flushAbandoned);
  io.stdout.off('error', onClientOutError);
  const closing = Promise.all([
    options.log?.close(),
    // Its own deadline, so that what cannot be delivered in time is counted as dropped rather than left in flight.
    options.telemetry?.shutdown({ timeoutMs: shutdownTimeout }).catch((error: unknown) => warn(`pecta-proxy: telemetry shutdown failed: ${(error as Error).message}`)),
  ]);
  if (!(await withTimeout(closing, shutdownTimeout, flushAbandoned))) {
    warn('pecta-proxy: stopped waiting for the decision log and telemetry to flush');
  }
  for (const [sig, handler] of signalHandlers) process.off(sig, handler);
  const stats = options.telemetry?.stats?.();
  if (stats && (stats.failed > 0 || stats.dropped > 0 || stats.pending > 0)) {
    warn(`pecta-proxy: telemetry: ${stats.sent} sent, ${stats.failed} failed, ${stats.dropped} dropped, ${stats.pending} not delivered`);
  }
  if (options.verbose) {
    const n = relay.counts.evaluated;
    warn(`pecta-proxy: ${n} message${n === 1 ? '' : 's'} evaluated, ${relay.counts.blocked} blocked`);
  }
  return lineTooLong ? EXIT_LINE_TOO_LONG : exitCode(code, signal);
}

/**
 * The first evaluation of a fresh process costs milliseconds (cold code, lazily built tables); spending them while
 * the server starts keeps them off the first tools/call. Not logged, not shipped.
 */
function warmUp(engine: Engine): void {
  const output = { content: [{ type: 'text', text: 'Warm-up: call 555-0100 or write to a@b.example; rm -rf ./tmp; I cannot help.' }] };
  engine.evaluate({ agent_id: 'pecta-proxy-warm-up', tool: 'warm-up', output }).catch(() => {});
}

export function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + (constants.signals[signal] ?? 0);
  return 1;
}

function flushed(stream: Writable, gone: boolean): Promise<void> {
  if (gone || stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/** True when `promise` settled within `ms` and before `abandoned` resolved. */
function withTimeout(promise: Promise<unknown>, ms: number, abandoned: Promise<void>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void abandoned.then(() => {
      clearTimeout(timer);
      resolve(false);
    });
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}
