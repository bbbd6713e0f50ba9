/**
 * Local decision log: one JSON line per evaluated message (tools/call, resources/read and prompts/get responses,
 * sampling/createMessage requests) in `~/.pecta/logs/YYYY-MM-DD.jsonl`
 * (`$PECTA_HOME/logs` when set; the date is UTC, like the `time` field). Lines hold metadata only — never the tool's
 * arguments or output, never gate `details`.
 *
 * Every proxy on the machine appends to the same daily file. The file is opened in append mode and each write
 * carries whole lines, so lines from concurrent proxies do not interleave.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { GateResult } from '@pecta/core';
import { blockedSummary, publicGates } from './jsonrpc.js';
import type { GatedMethod } from './gated.js';
import type { Decision, ResponseKind } from './relay.js';

/** allowed: passed. blocked: failed and replaced by an error. flagged: failed but forwarded (dry run). */
export type Action = 'allowed' | 'blocked' | 'flagged';

export interface LogEntry {
  time: string;
  evaluation_id: string;
  agent_id: string;
  tool?: string;
  passed: boolean;
  action: Action;
  dry_run: boolean;
  method: GatedMethod;
  response: ResponseKind;
  /** Present (true) for a further response to a request that had been answered already. */
  duplicate?: true;
  gates: GateResult[];
  total_latency_ms: number;
  latency_ms?: number;
}

export function pectaHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.PECTA_HOME ? env.PECTA_HOME : join(homedir(), '.pecta');
}

export function logsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(pectaHome(env), 'logs');
}

export function actionOf(decision: Decision): Action {
  if (decision.result.passed) return 'allowed';
  return decision.blocked ? 'blocked' : 'flagged';
}

/** The log line for a decision, built field by field so nothing beyond the metadata can ride along. */
export function logEntry(decision: Decision): LogEntry {
  const r = decision.result;
  const entry: LogEntry = {
    time: r.created_at,
    evaluation_id: r.evaluation_id,
    agent_id: r.agent_id,
    ...(r.tool !== undefined ? { tool: r.tool } : {}),
    passed: r.passed,
    action: actionOf(decision),
    dry_run: decision.dryRun,
    method: decision.method,
    response: decision.kind,
    ...(decision.duplicate ? { duplicate: true as const } : {}),
    gates: publicGates(r.gates),
    total_latency_ms: r.total_latency_ms,
    ...(r.latency_ms !== undefined ? { latency_ms: r.latency_ms } : {}),
  };
  return entry;
}

/** The `--verbose` line: `pecta-proxy: files/read_text_file BLOCKED pii (email address detected in output) …`. */
export function verboseLine(decision: Decision): string {
  const r = decision.result;
  const what = `${r.agent_id}/${r.tool ?? '?'}`;
  const timing = `gates ${r.total_latency_ms.toFixed(2)} ms, tool ${(r.latency_ms ?? 0).toFixed(1)} ms, ${r.evaluation_id}`;
  const action = actionOf(decision);
  if (action === 'allowed') return `pecta-proxy: ${what} passed (${timing})`;
  const verdict = action === 'blocked' ? 'BLOCKED' : 'FLAGGED (dry run, forwarded)';
  return `pecta-proxy: ${what} ${verdict}: ${blockedSummary(r)} (${timing})`;
}

export class DecisionLog {
  private stream: WriteStream | null = null;
  private day = '';
  private failed = false;
  private readonly closing: Promise<void>[] = [];

  constructor(
    readonly dir: string,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  append(entry: LogEntry): void {
    if (this.failed) return;
    const day = entry.time.slice(0, 10);
    if (this.stream === null || day !== this.day) this.open(day);
    this.stream?.write(`${JSON.stringify(entry)}\n`);
  }

  /** Resolves once every appended line has been written (or writing failed). */
  close(): Promise<void> {
    if (this.stream !== null) this.retire(this.stream);
    this.stream = null;
    return Promise.all(this.closing).then(() => undefined);
  }

  private open(day: string): void {
    if (this.stream !== null) this.retire(this.stream);
    this.stream = null;
    this.day = day;
    const path = join(this.dir, `${day}.jsonl`);
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      this.fail(path, error);
      return;
    }
    const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    stream.on('error', (error) => this.fail(path, error));
    this.stream = stream;
  }

  private retire(stream: WriteStream): void {
    this.closing.push(
      new Promise<void>((resolve) => {
        if (stream.destroyed) return resolve();
        stream.once('close', () => resolve());
        stream.end();
      }),
    );
  }

  private fail(path: string, error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const code = (error as NodeJS.ErrnoException).code;
    this.warn(`pecta-proxy: cannot write the decision log ${path}${code ? ` (${code})` : ''}; logging is off for this run`);
    if (this.stream !== null) {
      this.stream.destroy();
      this.stream = null;
    }
  }
}
