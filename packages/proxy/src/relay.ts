/**
 * The relay between an MCP client and an MCP server, free of processes and streams so that it can be driven directly
 * in tests: bytes in with `fromClient`/`fromServer`, bytes out through `toServer`/`toClient`.
 *
 * - Client → server: chunks are forwarded as they arrive, unchanged. Each complete line is parsed only to note the
 *   ids of `tools/call`, `resources/read`, `prompts/get` and `initialize` requests, before the chunk that completes it
 *   is written to the server, so the server cannot answer a request the relay has not seen.
 * - Server → client: split into lines, each parsed (while nothing is gated — no request waiting, sampling not gated —
 *   lines are forwarded unparsed). A response is paired with a waiting request the way MCP clients pair them
 *   (`idKey`: a number and its decimal string are the same request), so no spelling of an id lets a response to a gated
 *   request through unevaluated. A gated response is evaluated; a passing one is forwarded as the exact bytes received,
 *   a failing one is replaced by a JSON-RPC error. A server's `sampling/createMessage` request is evaluated too; a
 *   failing one is not forwarded and the server gets the error instead. Every line goes into one ordered output queue,
 *   so nothing overtakes a message under evaluation.
 * - A line the relay cannot parse is dropped, not forwarded: another client's parser may read a response into it
 *   (Python's accepts `NaN`), and no client can use a line that is not JSON.
 * - Every response to a gated request is evaluated, whatever its shape: a normal result, a tool error
 *   (`result.isError`, whose text reaches the model like any result), and a JSON-RPC error (its `message`/`data`
 *   reach the client too and may quote what the tool saw). The gates see `result` for the first two and the
 *   `error` object for the third.
 * - A line longer than `maxLineBytes` from either side ends the session: nothing more is relayed, every waiting
 *   request is answered with a JSON-RPC error, and `onLineTooLong` lets the owner stop the server.
 */
import { newEvaluationId, type Engine, type EvaluationContext, type EvaluationResult } from '@pecta/core';
import { MAX_ID_LENGTH, truncate } from '@pecta/core/wire';
import { DEFAULT_MAX_LINE_BYTES, isBlankLine, LineSplitter, lineTerminator } from './framing.js';
import {
  ALL_GATED,
  blockedNoun,
  gatedResponseMethod,
  recordedName,
  resultView,
  samplingView,
  type GatedMethod,
  type GateSwitches,
} from './gated.js';
import { blockedResponse, isObject, requestOf, responseOf, sessionEndedResponse, type RequestId, type Response } from './jsonrpc.js';
import { PendingRequests, type PendingRequest } from './pending.js';

/** What was evaluated: a response (`result`, `tool-error`, `rpc-error`) or a server's sampling `request`. */
export type ResponseKind = 'result' | 'tool-error' | 'rpc-error' | 'request';

export type Side = 'client' | 'server';

export interface Decision {
  /** The engine's result, `details` included: in-process only, strip it before it goes anywhere. */
  result: EvaluationResult;
  /** The response was replaced by a JSON-RPC error on the wire. */
  blocked: boolean;
  /** Evaluated in dry-run mode: a failing result was forwarded anyway. */
  dryRun: boolean;
  kind: ResponseKind;
  method: GatedMethod;
  /** A further response under the id of a request that had been answered already. */
  duplicate: boolean;
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
  /** Outstanding gated requests remembered at most; past it the oldest is forgotten. Default 10,000. */
  maxPendingCalls?: number;
  /** Which of the switchable messages are gated (default: all). */
  gate?: Partial<GateSwitches>;
  /** Longest line accepted from either side, in bytes before its `\n`. Default 16 MiB. */
  maxLineBytes?: number;
  /** A line went over `maxLineBytes`: the relay has ended the session; the owner should stop the server. */
  onLineTooLong?(side: Side, maxLineBytes: number): void;
  /** A line from the server that is not JSON was dropped (called for the first one only). */
  onUnparseable?(): void;
}

interface Slot {
  bytes: Buffer | null;
}

/** What one server message turned into once decided: kept as it is, replaced, or removed. */
type Outcome = { keep: true } | { keep: false; replacement: unknown };

/** Agent ids and tool names are capped at the ingest API's identifier length. */
export const MAX_NAME_LENGTH = MAX_ID_LENGTH;
export const DEFAULT_MAX_PENDING_CALLS = 10_000;
const DEFAULT_FALLBACK_AGENT_ID = 'mcp-server';

export class Relay {
  private readonly engine: Engine;
  private readonly fixedAgentId: string | undefined;
  private readonly fallbackAgentId: string;
  private readonly dryRun: boolean;
  private readonly now: () => number;
  private readonly gate: GateSwitches;
  private readonly maxLineBytes: number;
  private readonly toClient: (bytes: Buffer) => void;
  private readonly toServer: (bytes: Buffer) => void;
  private readonly onDecision: ((decision: Decision) => void) | undefined;
  private readonly onLineTooLong: ((side: Side, maxLineBytes: number) => void) | undefined;
  private readonly onUnparseable: (() => void) | undefined;

  private readonly requests: PendingRequests;
  private readonly queue: Slot[] = [];
  private readonly clientLines: LineSplitter;
  private readonly serverLines: LineSplitter;
  /** Our own messages for the server, held while the client is in the middle of a line. */
  private heldForServer: Buffer[] = [];
  private idleWaiters: (() => void)[] = [];
  private serverName: string | undefined;
  private inFlight = 0;
  private ended = false;

  /** Counters for diagnostics and tests. */
  readonly counts = { evaluated: 0, blocked: 0, forgotten: 0, unparseable: 0 };

  constructor(options: RelayOptions) {
    this.engine = options.engine;
    this.fixedAgentId = options.agentId;
    this.fallbackAgentId = options.fallbackAgentId || DEFAULT_FALLBACK_AGENT_ID;
    this.dryRun = options.dryRun ?? false;
    this.now = options.now ?? (() => performance.now());
    this.gate = {
      resources: options.gate?.resources ?? ALL_GATED.resources,
      prompts: options.gate?.prompts ?? ALL_GATED.prompts,
      sampling: options.gate?.sampling ?? ALL_GATED.sampling,
    };
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.toClient = options.toClient;
    this.toServer = options.toServer;
    this.onDecision = options.onDecision;
    this.onLineTooLong = options.onLineTooLong;
    this.onUnparseable = options.onUnparseable;
    this.requests = new PendingRequests(options.maxPendingCalls ?? DEFAULT_MAX_PENDING_CALLS, () => this.counts.forgotten++);
    const maxLineBytes = this.maxLineBytes;
    this.clientLines = new LineSplitter((line) => this.inspectClientLine(line), {
      maxLineBytes,
      onOverflow: () => this.lineTooLong('client'),
    });
    this.serverLines = new LineSplitter((line) => this.handleServerLine(line), {
      maxLineBytes,
      onOverflow: () => this.lineTooLong('server'),
    });
  }

  /** The agent id evaluations are recorded under right now. */
  get agentId(): string {
    return this.fixedAgentId ?? this.serverName ?? this.fallbackAgentId;
  }

  /** Requests sent to the server whose response the relay waits for (gated ones and initialize). */
  get pendingCalls(): number {
    return this.requests.size;
  }

  /** A line went over the cap: the relay no longer relays anything. */
  get sessionEnded(): boolean {
    return this.ended;
  }

  fromClient(chunk: Buffer): void {
    if (this.ended) return;
    this.clientLines.push(chunk);
    if (this.ended) return; // this chunk went over the line cap: none of it is forwarded
    this.forwardToServer(chunk);
  }

  clientEnded(): void {
    if (this.ended) return;
    // Already forwarded; a final request without its newline is still noted in case the server answers it.
    const rest = this.clientLines.end();
    if (rest !== null) this.inspectClientLine(rest);
    if (this.heldForServer.length > 0) this.flushHeld(Buffer.from('\n'));
  }

  fromServer(chunk: Buffer): void {
    if (this.ended) return;
    this.serverLines.push(chunk);
  }

  serverEnded(): void {
    if (this.ended) return;
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
    const method = request.method === 'initialize' ? request.method : gatedResponseMethod(request.method, this.gate);
    if (method === undefined) {
      this.requests.reuse(request.id);
      return;
    }
    const name = method === 'tools/call' && isObject(request.params) ? request.params.name : undefined;
    const tool = typeof name === 'string' && name !== '' ? truncate(name, MAX_NAME_LENGTH) : undefined;
    this.requests.add({ id: request.id, method, tool, startedAt: this.now() });
  }

  /** Chunks go out as they came; a message of ours waits for the end of the client's current line. */
  private forwardToServer(chunk: Buffer): void {
    const newline = this.heldForServer.length === 0 ? -1 : chunk.indexOf(0x0a);
    if (newline === -1) {
      this.toServer(chunk);
      return;
    }
    this.flushHeld(chunk.subarray(0, newline + 1));
    if (newline + 1 < chunk.length) this.toServer(chunk.subarray(newline + 1));
  }

  private flushHeld(lineEnd: Buffer): void {
    this.toServer(lineEnd);
    const held = this.heldForServer;
    this.heldForServer = [];
    for (const bytes of held) this.toServer(bytes);
  }

  private sendToServer(bytes: Buffer): void {
    if (this.clientLines.buffered > 0) this.heldForServer.push(bytes);
    else this.toServer(bytes);
  }

  // ---- server → client ---------------------------------------------------------------------------------------------

  private handleServerLine(line: Buffer): void {
    if (this.ended) return;
    if (isBlankLine(line) || (!this.requests.watching && !this.gate.sampling)) {
      this.emit(line);
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(line.toString('utf8'));
    } catch {
      this.counts.unparseable++;
      if (this.counts.unparseable === 1) this.onUnparseable?.();
      return;
    }
    const batch = Array.isArray(message);
    const messages: unknown[] = batch ? (message as unknown[]) : [message];
    const jobs: Promise<Judged>[] = [];
    messages.forEach((m, index) => {
      const job = this.judge(m);
      if (job !== null) jobs.push(job.then((judged) => ({ ...judged, index })));
    });
    if (jobs.length === 0) {
      this.emit(line);
      return;
    }
    const slot = this.reserve();
    void Promise.all(jobs).then((judged) => {
      slot.bytes = rewritten(line, batch, messages, judged);
      this.settle();
      for (const j of judged) this.report(j.decision);
    });
  }

  /** The evaluation a server message needs, or null when it passes untouched. */
  private judge(message: unknown): Promise<Verdict> | null {
    const response = responseOf(message);
    const claim = response === null ? undefined : this.requests.claim(response.id);
    if (response !== null && claim !== undefined) {
      if (claim.request.method !== 'initialize') return this.judgeResponse(claim.request, claim.duplicate, response);
      if (!claim.duplicate) this.noteServerName(response);
      return null;
    }
    const request = requestOf(message);
    if (request !== null && request.method === 'sampling/createMessage' && this.gate.sampling) {
      return this.judgeSampling(request.id, request.params);
    }
    return null;
  }

  private noteServerName(response: Response): void {
    const info = isObject(response.result) ? response.result.serverInfo : undefined;
    const name = isObject(info) && typeof info.name === 'string' ? info.name.trim() : '';
    if (name !== '') this.serverName = truncate(name, MAX_NAME_LENGTH);
  }

  private async judgeResponse(request: PendingRequest, duplicate: boolean, response: Response): Promise<Verdict> {
    const method = request.method as GatedMethod;
    const hasResult = 'result' in response;
    // A message with both members is read as one or the other depending on the client: the gates see both.
    let output: unknown;
    if (!hasResult) output = response.error;
    else if ('error' in response) output = { result: resultView(method, response.result), error: response.error };
    else output = resultView(method, response.result);
    const kind: ResponseKind = !hasResult
      ? 'rpc-error'
      : isObject(response.result) && response.result.isError === true
        ? 'tool-error'
        : 'result';
    const latency = round3(Math.max(0, this.now() - request.startedAt));
    const decision = await this.decide({ method, tool: request.tool, output, latency, kind, duplicate });
    if (!decision.blocked) return { decision, outcome: KEEP };
    return { decision, outcome: { keep: false, replacement: blockedResponse(response.id, decision.result, blockedNoun(method)) } };
  }

  /** A blocked sampling request never reaches the client; the server is told so, as the client would have told it. */
  private async judgeSampling(id: RequestId, params: unknown): Promise<Verdict> {
    const method = 'sampling/createMessage';
    const output = samplingView(params);
    const decision = await this.decide({ method, tool: undefined, output, latency: undefined, kind: 'request', duplicate: false });
    if (!decision.blocked) return { decision, outcome: KEEP };
    this.sendToServer(serialise(blockedResponse(id, decision.result, blockedNoun(method)), null));
    return { decision, outcome: { keep: false, replacement: REMOVED } };
  }

  private async decide(what: Evaluated): Promise<Decision> {
    const agentId = this.agentId;
    const tool = recordedName(what.method, what.tool);
    let result: EvaluationResult;
    try {
      const context: EvaluationContext = { agent_id: agentId, tool, output: what.output };
      if (what.latency !== undefined) context.latency_ms = what.latency;
      result = await this.engine.evaluate(context);
    } catch (error) {
      // Unreachable with a valid engine and context; failing closed keeps an engine bug from leaking a result.
      result = engineFailure(agentId, tool, what.latency, error);
    }
    this.counts.evaluated++;
    const blocked = !result.passed && !this.dryRun;
    if (blocked) this.counts.blocked++;
    return { result, blocked, dryRun: this.dryRun, kind: what.kind, method: what.method, duplicate: what.duplicate };
  }

  private report(decision: Decision): void {
    if (this.onDecision === undefined) return;
    try {
      this.onDecision(decision);
    } catch {
      // Reporting (log, telemetry, stderr) must never break the relay.
    }
  }

  // ---- line cap ----------------------------------------------------------------------------------------------------

  private lineTooLong(side: Side): void {
    if (this.ended) return;
    this.ended = true;
    for (const request of this.requests.takeAll()) {
      this.emit(serialise(sessionEndedResponse(request.id, side, this.maxLineBytes), null));
    }
    this.onLineTooLong?.(side, this.maxLineBytes);
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
    while (this.queue.length > 0 && this.queue[0]!.bytes !== null) {
      const bytes = this.queue.shift()!.bytes!;
      if (bytes.length > 0) this.toClient(bytes);
    }
    if (this.queue.length === 0 && this.inFlight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}

interface Evaluated {
  method: GatedMethod;
  tool: string | undefined;
  output: unknown;
  latency: number | undefined;
  kind: ResponseKind;
  duplicate: boolean;
}

interface Verdict {
  decision: Decision;
  outcome: Outcome;
}

interface Judged extends Verdict {
  index: number;
}

const KEEP: Outcome = { keep: true };
/** The replacement that takes a message out of its line altogether. */
const REMOVED = Symbol('removed');

/** The line as it goes to the client: the exact bytes unless a message in it was blocked. */
function rewritten(line: Buffer, batch: boolean, messages: unknown[], judged: Judged[]): Buffer {
  if (judged.every((j) => j.outcome.keep)) return line;
  const out = messages.slice();
  for (const j of judged) if (!j.outcome.keep) out[j.index] = j.outcome.replacement;
  const kept = out.filter((m) => m !== REMOVED);
  if (kept.length === 0) return Buffer.alloc(0);
  return serialise(batch ? kept : kept[0], line);
}

/** One line; with the terminator of the line it replaces, when there is one. */
function serialise(message: unknown, original: Buffer | null): Buffer {
  return Buffer.from(JSON.stringify(message) + ((original && lineTerminator(original)) || '\n'), 'utf8');
}

function engineFailure(agentId: string, tool: string | undefined, latency: number | undefined, error: unknown): EvaluationResult {
  const now = Date.now();
  const errorName = error instanceof Error ? error.constructor.name : typeof error;
  const result: EvaluationResult = {
    evaluation_id: newEvaluationId(now),
    agent_id: agentId,
    passed: false,
    gates: [{ name: 'pecta', passed: false, latency_ms: 0, reason: `pecta:error ${errorName} thrown by engine` }],
    total_latency_ms: 0,
    created_at: new Date(now).toISOString(),
  };
  if (latency !== undefined) result.latency_ms = latency;
  if (tool !== undefined) result.tool = tool;
  return result;
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
