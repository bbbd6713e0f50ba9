/**
 * The relay between an MCP client and an MCP server, free of processes and streams so that it can be driven directly
 * in tests: bytes in with `fromClient`/`fromServer`, bytes out through `toServer`/`toClient`.
 *
 * - Client → server: chunks are forwarded as they arrive, unchanged. Each complete line is parsed only to note the
 *   ids of `tools/call` and `initialize` requests, before the chunk that completes it is written to the server, so
 *   the server cannot answer a request the relay has not seen.
 * - Server → client: split into lines. While no `tools/call` or `initialize` is outstanding, lines are forwarded
 *   without being parsed. Otherwise each line is parsed to find responses to those requests. A `tools/call` response
 *   is evaluated; a passing one is forwarded as the exact bytes received, a failing one is replaced by a JSON-RPC
 *   error. Every line goes into one ordered output queue, so nothing overtakes a response under evaluation.
 * - Every response to a `tools/call` is evaluated, whatever its shape: a normal result, a tool error
 *   (`result.isError`, whose text reaches the model like any result), and a JSON-RPC error (its `message`/`data`
 *   reach the client too and may quote what the tool saw). The gates see `result` for the first two and the
 *   `error` object for the third.
 */
import { newEvaluationId, type Engine, type EvaluationResult } from '@pecta/core';
import { isBlankLine, LineSplitter, lineTerminator } from './framing.js';
import { blockedResponse, isObject, requestOf, responseOf, type RequestId } from './jsonrpc.js';

/** Which kind of tools/call response was evaluated. */
export type ResponseKind = 'result' | 'tool-error' | 'rpc-error';

export interface Decision {
  /** The engine's result, `details` included: in-process only, strip it before it goes anywhere. */
  result: EvaluationResult;
  /** The response was replaced by a JSON-RPC error on the wire. */
  blocked: boolean;
  /** Evaluated in dry-run mode: a failing result was forwarded anyway. */
  dryRun: boolean;
  kind: ResponseKind;
}

export interface RelayOptions {
  engine: Engine;
  /** Fixed agent id (`--agent-id`); when absent the server's `serverInfo.name` is used once it is known. */
  agentId?: string;
  /** Agent id used until the server has answered `initialize` (and when its answer carries no name). */
  fallbackAgentId?: string;
  /** Evaluate and report, never block. */
  dryRun?: boolean;
  toClient(bytes: Buffer): void;
  toServer(bytes: Buffer): void;
  /** Called after the decided response has been handed to `toClient`, so reporting never delays the response. */
  onDecision?(decision: Decision): void;
  /** Clock in milliseconds for tool latencies. Default performance.now. */
  now?: () => number;
  /** Outstanding tools/call requests remembered at most; past it the oldest is forgotten. Default 10,000. */
  maxPendingCalls?: number;
}

interface PendingCall {
  tool: string | undefined;
  startedAt: number;
}

interface Slot {
  bytes: Buffer | null;
}

/** Agent ids and tool names are capped at the ingest API's 200 characters. */
export const MAX_NAME_LENGTH = 200;
export const DEFAULT_MAX_PENDING_CALLS = 10_000;
const DEFAULT_FALLBACK_AGENT_ID = 'mcp-server';

export class Relay {
  private readonly engine: Engine;
  private readonly fixedAgentId: string | undefined;
  private readonly fallbackAgentId: string;
  private readonly dryRun: boolean;
  private readonly now: () => number;
  private readonly maxPendingCalls: number;
  private readonly toClient: (bytes: Buffer) => void;
  private readonly toServer: (bytes: Buffer) => void;
  private readonly onDecision: ((decision: Decision) => void) | undefined;

  private readonly calls = new Map<RequestId, PendingCall>();
  private readonly initializeIds = new Set<RequestId>();
  private readonly queue: Slot[] = [];
  private readonly clientLines = new LineSplitter((line) => this.inspectClientLine(line));
  private readonly serverLines = new LineSplitter((line) => this.handleServerLine(line));
  private idleWaiters: (() => void)[] = [];
  private serverName: string | undefined;
  private inFlight = 0;

  /** Counters for diagnostics and tests. */
  readonly counts = { evaluated: 0, blocked: 0, forgotten: 0 };

  constructor(options: RelayOptions) {
    this.engine = options.engine;
    this.fixedAgentId = options.agentId;
    this.fallbackAgentId = options.fallbackAgentId || DEFAULT_FALLBACK_AGENT_ID;
    this.dryRun = options.dryRun ?? false;
    this.now = options.now ?? (() => performance.now());
    this.maxPendingCalls = options.maxPendingCalls ?? DEFAULT_MAX_PENDING_CALLS;
    this.toClient = options.toClient;
    this.toServer = options.toServer;
    this.onDecision = options.onDecision;
  }

  /** The agent id evaluations are recorded under right now. */
  get agentId(): string {
    return this.fixedAgentId ?? this.serverName ?? this.fallbackAgentId;
  }

  /** tools/call requests sent to the server and not answered yet. */
  get pendingCalls(): number {
    return this.calls.size;
  }

  fromClient(chunk: Buffer): void {
    this.clientLines.push(chunk);
    this.toServer(chunk);
  }

  clientEnded(): void {
    // Already forwarded; a final request without its newline is still noted in case the server answers it.
    const rest = this.clientLines.end();
    if (rest !== null) this.inspectClientLine(rest);
  }

  fromServer(chunk: Buffer): void {
    this.serverLines.push(chunk);
  }

  serverEnded(): void {
    const rest = this.serverLines.end();
    if (rest !== null) this.handleServerLine(rest);
  }

  /** Resolves once every line received from the server has been handed to `toClient` (evaluations included). */
  drained(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ---- client → server ---------------------------------------------------------------------------------------------

  private inspectClientLine(line: Buffer): void {
    if (isBlankLine(line)) return;
    let message: unknown;
    try {
      message = JSON.parse(line.toString('utf8'));
    } catch {
      return; // Not ours to judge: the server will answer with a parse error.
    }
    if (Array.isArray(message)) for (const m of message) this.noteRequest(m);
    else this.noteRequest(message);
  }

  private noteRequest(message: unknown): void {
    const request = requestOf(message);
    if (request === null) return;
    if (request.method === 'tools/call') {
      const name = isObject(request.params) ? request.params.name : undefined;
      const tool = typeof name === 'string' && name !== '' ? name.slice(0, MAX_NAME_LENGTH) : undefined;
      // A reused id replaces the older call: the server can only answer it once more anyway.
      this.calls.delete(request.id);
      if (this.calls.size >= this.maxPendingCalls) {
        this.calls.delete(this.calls.keys().next().value as RequestId);
        this.counts.forgotten++;
      }
      this.calls.set(request.id, { tool, startedAt: this.now() });
    } else if (request.method === 'initialize') {
      this.initializeIds.add(request.id);
    }
  }

  // ---- server → client ---------------------------------------------------------------------------------------------

  private handleServerLine(line: Buffer): void {
    if ((this.calls.size === 0 && this.initializeIds.size === 0) || isBlankLine(line)) {
      this.emit(line);
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(line.toString('utf8'));
    } catch {
      this.emit(line);
      return;
    }
    if (Array.isArray(message)) {
      this.handleBatch(line, message);
      return;
    }
    const response = responseOf(message);
    const call = response === null ? undefined : this.claim(response);
    if (response === null || call === undefined) {
      this.emit(line);
      return;
    }
    const slot = this.reserve();
    this.decide(call, response).then((decision) => {
      slot.bytes = decision.blocked ? serialise(blockedResponse(response.id, decision.result), line) : line;
      this.settle();
      this.report(decision);
    });
  }

  /** A batch is forwarded unchanged unless one of its responses is blocked; then it is re-serialised as a whole. */
  private handleBatch(line: Buffer, messages: unknown[]): void {
    const jobs: Promise<{ index: number; id: RequestId; decision: Decision }>[] = [];
    messages.forEach((message, index) => {
      const response = responseOf(message);
      const call = response === null ? undefined : this.claim(response);
      if (response === null || call === undefined) return;
      jobs.push(this.decide(call, response).then((decision) => ({ index, id: response.id, decision })));
    });
    if (jobs.length === 0) {
      this.emit(line);
      return;
    }
    const slot = this.reserve();
    void Promise.all(jobs).then((decided) => {
      const blocked = decided.filter((d) => d.decision.blocked);
      if (blocked.length === 0) {
        slot.bytes = line;
      } else {
        const replaced = messages.slice();
        for (const d of blocked) replaced[d.index] = blockedResponse(d.id, d.decision.result);
        slot.bytes = serialise(replaced, line);
      }
      this.settle();
      for (const d of decided) this.report(d.decision);
    });
  }

  /** Takes the pending call this response answers, noting the server's name on the way when it answers initialize. */
  private claim(response: { id: RequestId; result?: unknown }): PendingCall | undefined {
    if (this.initializeIds.delete(response.id)) {
      const info = isObject(response.result) ? response.result.serverInfo : undefined;
      const name = isObject(info) && typeof info.name === 'string' ? info.name.trim() : '';
      if (name !== '') this.serverName = name.slice(0, MAX_NAME_LENGTH);
      return undefined;
    }
    const call = this.calls.get(response.id);
    if (call !== undefined) this.calls.delete(response.id);
    return call;
  }

  private async decide(call: PendingCall, response: { result?: unknown; error?: unknown }): Promise<Decision> {
    const isRpcError = !('result' in response);
    const output = isRpcError ? response.error : response.result;
    const kind: ResponseKind = isRpcError ? 'rpc-error' : isObject(output) && output.isError === true ? 'tool-error' : 'result';
    const latency = round3(Math.max(0, this.now() - call.startedAt));
    const agentId = this.agentId;
    let result: EvaluationResult;
    try {
      result = await this.engine.evaluate({ agent_id: agentId, tool: call.tool, output, latency_ms: latency });
    } catch (error) {
      // Unreachable with a valid engine and context; failing closed keeps an engine bug from leaking a result.
      result = engineFailure(agentId, call.tool, latency, error);
    }
    this.counts.evaluated++;
    const blocked = !result.passed && !this.dryRun;
    if (blocked) this.counts.blocked++;
    return { result, blocked, dryRun: this.dryRun, kind };
  }

  private report(decision: Decision): void {
    if (this.onDecision === undefined) return;
    try {
      this.onDecision(decision);
    } catch {
      // Reporting (log, telemetry, stderr) must never break the relay.
    }
  }

  // ---- ordered output ----------------------------------------------------------------------------------------------

  private emit(bytes: Buffer): void {
    if (this.queue.length === 0) this.toClient(bytes);
    else this.queue.push({ bytes });
  }

  private reserve(): Slot {
    const slot: Slot = { bytes: null };
    this.queue.push(slot);
    this.inFlight++;
    return slot;
  }

  private settle(): void {
    this.inFlight--;
    while (this.queue.length > 0 && this.queue[0]!.bytes !== null) this.toClient(this.queue.shift()!.bytes!);
    if (this.queue.length === 0 && this.inFlight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}

function serialise(message: unknown, original: Buffer): Buffer {
  return Buffer.from(JSON.stringify(message) + (lineTerminator(original) || '\n'), 'utf8');
}

function engineFailure(agentId: string, tool: string | undefined, latency: number, error: unknown): EvaluationResult {
  const now = Date.now();
  const errorName = error instanceof Error ? error.constructor.name : typeof error;
  const result: EvaluationResult = {
    evaluation_id: newEvaluationId(now),
    agent_id: agentId,
    passed: false,
    gates: [{ name: 'pecta', passed: false, latency_ms: 0, reason: `pecta:error ${errorName} thrown by engine` }],
    total_latency_ms: 0,
    latency_ms: latency,
    created_at: new Date(now).toISOString(),
  };
  if (tool !== undefined) result.tool = tool;
  return result;
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
