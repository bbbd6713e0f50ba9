/**
 * PectaTelemetry (docs/sdk.md, Telemetry): ships evaluation results to POST /v1/ingest in the background.
 *
 * Shape of the machinery: `track()` strips a result to an ingest event and appends it to a bounded FIFO. One worker
 * (never more than one request in flight, so batches arrive in tracking order, which is the order the server's
 * reputation window counts them in) takes batches from the front and delivers each with retries before it takes
 * the next. A batch is due when `maxBatch` events wait, when the flush timer fires, or when flush()/shutdown() asks.
 *
 * Accounting: every track() call ends up in exactly one of `sent`, `dropped`, `failed`, `sampledOut` or `pending`.
 * Only web-standard APIs (fetch, WebCrypto, TextEncoder, AbortController, timers): it runs outside Node too.
 */
import { newEvaluationId } from '../ids.js';
import type { EvaluationResult } from '../types.js';
import { parseRetryAfter, retryDelay } from './backoff.js';
import { canSign, createSigner, type Signer } from './hmac.js';
import { Queue } from './queue.js';
import { toIngestEvent, utf8Length, type IngestEvent } from './strip.js';
import type { ShutdownOptions, Telemetry, TelemetryOptions, TelemetryStats } from './types.js';
import { isApiKey, keyTypeOf, MAX_EVENTS_PER_BATCH } from '../wire/index.js';

export const DEFAULT_ENDPOINT = 'http://localhost:8787';
export const DEFAULT_SAMPLE_RATE = 1;
export const DEFAULT_FLUSH_INTERVAL_MS = 5000;
export const DEFAULT_MAX_BATCH = 100;
export const MAX_BATCH = MAX_EVENTS_PER_BATCH;
export const DEFAULT_MAX_BUFFER = 10_000;
export const DEFAULT_MAX_RETRIES = 8;
/** A request (body included) that takes longer is abandoned and retried like a network error. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/**
 * How long shutdown() keeps delivering by default: well inside the 30 s a container or process manager usually
 * grants between SIGTERM and SIGKILL, leaving the application time for its own cleanup.
 */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/** setTimeout's ceiling (2^31-1 ms); above it timers fire at once. */
const MAX_TIMER_MS = 2_147_483_647;
/**
 * Request bodies stay under this many bytes (a batch is cut short when the next event would cross it). Typical
 * batches are tens of KB; the cap only bites on results with huge reasons, and keeps bodies under the server's
 * 4 MiB ingest limit and under the 1 MB default of common reverse proxies (nginx's client_max_body_size).
 */
export const MAX_BODY_BYTES = 1_000_000;

const BODY_PREFIX = '{"events":[';
const BODY_SUFFIX = ']}';

/**
 * Clock, randomness and timers, injectable for tests through the constructor's second argument. Not part of the
 * public contract (TelemetryOptions): applications never need it.
 */
export interface TelemetryRuntime {
  now(): number;
  random(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  requestTimeoutMs: number;
}

const defaultRuntime: TelemetryRuntime = {
  now: () => Date.now(),
  random: () => Math.random(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as number | undefined),
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
};

interface Buffered {
  /** Tracking order, 1-based; flush() waits for every event up to the sequence number it saw. */
  seq: number;
  event: IngestEvent;
}

type AttemptResult = { kind: 'ok' } | { kind: 'retry'; why: string; retryAfterMs?: number } | { kind: 'reject'; why: string };
type DeliveryResult = 'sent' | 'rejected' | 'exhausted' | 'expired';

interface Notices {
  overflow: number;
  afterShutdown: number;
  invalid: number;
}

/** Lets a timer not hold the process open (Node, Bun: handle.unref(); Deno: Deno.unrefTimer(id)); no-op elsewhere. */
function setTimerRef(handle: unknown, keepAlive: boolean): void {
  if (handle === undefined || handle === null) return;
  if (typeof handle === 'object') {
    const method = (handle as { ref?: unknown; unref?: unknown })[keepAlive ? 'ref' : 'unref'];
    if (typeof method === 'function') method.call(handle);
    return;
  }
  const deno = (globalThis as { Deno?: { refTimer?: (id: unknown) => void; unrefTimer?: (id: unknown) => void } }).Deno;
  if (typeof handle === 'number' && deno) (keepAlive ? deno.refTimer : deno.unrefTimer)?.(handle);
}

function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return typeof error;
  const e = error as { name?: unknown; message?: unknown; cause?: { code?: unknown } };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  // undici reports "fetch failed" and puts the useful part (ECONNREFUSED, UND_ERR_SOCKET…) in the cause.
  const code = typeof e.cause?.code === 'string' ? ` ${e.cause.code}` : '';
  const message = typeof e.message === 'string' ? `: ${e.message.slice(0, 200)}` : '';
  return `${name}${code}${message}`;
}

function integerOption(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`PectaTelemetry: ${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function ingestUrl(endpoint: unknown): string {
  if (typeof endpoint !== 'string') throw new TypeError('PectaTelemetry: endpoint must be a URL string');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError('PectaTelemetry: endpoint must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('PectaTelemetry: endpoint must be an http(s) URL');
  // fetch refuses URLs with credentials; failing here beats retrying a request that can never be made.
  if (url.username !== '' || url.password !== '') throw new TypeError('PectaTelemetry: endpoint must not contain credentials');
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/ingest`;
  url.search = '';
  url.hash = '';
  return url.href;
}

export class PectaTelemetry implements Telemetry {
  private readonly url: string;
  private readonly apiKey: string;
  private readonly sign: Signer | undefined;
  private readonly sampleRate: number;
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly maxBuffer: number;
  /** Buffered events that make a batch due without waiting for the timer. */
  private readonly batchTrigger: number;
  private readonly maxRetries: number;
  private readonly fetchFn: typeof fetch;
  private readonly onError: ((message: string) => void) | undefined;
  private readonly runtime: TelemetryRuntime;

  private readonly buffer = new Queue<Buffered>();
  /** The batch being delivered (retries included); it stays pending until sent or given up on. */
  private inFlight: Buffered[] = [];
  private lastSeq = 0;
  /** Buffered events with seq up to this are due now, whatever the batch size. */
  private dueThrough = 0;
  private worker: Promise<void> | undefined;
  private flushTimer: unknown;
  private retryTimer: unknown;
  private requestTimer: unknown;
  private waiters: Array<{ seq: number; resolve: () => void }> = [];
  private closed = false;
  private shutdownPromise: Promise<void> | undefined;
  /** Set when shutdown()'s deadline passed: nothing more is sent, what is left counts as dropped. */
  private expired = false;
  /** Cuts the delivery in progress short (aborts the request, ends the retry wait) when the deadline passes. */
  private readonly expiry = new AbortController();
  private readonly counts = { sent: 0, dropped: 0, failed: 0, sampledOut: 0 };
  private notices: Notices = { overflow: 0, afterShutdown: 0, invalid: 0 };
  private lastNoticeAt = Number.NEGATIVE_INFINITY;

  constructor(options: TelemetryOptions, runtime: Partial<TelemetryRuntime> = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('PectaTelemetry: options must be an object');
    if (!isApiKey(options.apiKey)) {
      throw new TypeError('PectaTelemetry: apiKey must be a pk_live_ or sk_live_ key (prefix + 32 letters and digits)');
    }
    this.apiKey = options.apiKey;
    this.url = ingestUrl(options.endpoint ?? DEFAULT_ENDPOINT);

    if (options.secretKey !== undefined) {
      if (keyTypeOf(options.secretKey) !== 'secret') {
        throw new TypeError('PectaTelemetry: secretKey must be an sk_live_ key (prefix + 32 letters and digits)');
      }
      if (!canSign()) throw new TypeError('PectaTelemetry: secretKey needs WebCrypto (crypto.subtle), which this runtime lacks');
      this.sign = createSigner(options.secretKey);
    }

    const sampleRate = options.sampleRate ?? DEFAULT_SAMPLE_RATE;
    if (typeof sampleRate !== 'number' || !(sampleRate >= 0 && sampleRate <= 1)) {
      throw new TypeError('PectaTelemetry: sampleRate must be a number from 0 to 1');
    }
    this.sampleRate = sampleRate;

    const interval = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    // Above 2^31-1 ms setTimeout fires immediately in every runtime, which would turn the timer into a busy loop.
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval <= 0 || interval > MAX_TIMER_MS) {
      throw new TypeError('PectaTelemetry: flushIntervalMs must be a positive number of milliseconds (at most 2147483647)');
    }
    this.flushIntervalMs = interval;
    this.maxBatch = integerOption(options.maxBatch, 'maxBatch', 1, MAX_BATCH, DEFAULT_MAX_BATCH);
    this.maxBuffer = integerOption(options.maxBuffer, 'maxBuffer', 1, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_BUFFER);
    this.maxRetries = integerOption(options.maxRetries, 'maxRetries', 0, 1000, DEFAULT_MAX_RETRIES);
    this.batchTrigger = Math.min(this.maxBatch, this.maxBuffer);

    if (options.fetch !== undefined && typeof options.fetch !== 'function') throw new TypeError('PectaTelemetry: fetch must be a function');
    if (options.fetch === undefined && typeof globalThis.fetch !== 'function') {
      throw new TypeError('PectaTelemetry: this runtime has no global fetch; pass one as the fetch option');
    }
    // Bound: browsers throw "Illegal invocation" when fetch is called with any other `this`.
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new TypeError('PectaTelemetry: onError must be a function');
    }
    this.onError = options.onError;
    this.runtime = { ...defaultRuntime, ...runtime };
  }

  /**
   * Synchronous, cheap and never throws. After shutdown() the result is counted as dropped. A value that is not an
   * evaluation result with a non-empty string `agent_id` is counted as failed (and reported through onError).
   * Sampling happens first, so a sampled-out result costs nothing more.
   */
  track(result: EvaluationResult): void {
    try {
      if (this.closed) {
        this.counts.dropped++;
        this.notice('afterShutdown');
        return;
      }
      if (this.sampleRate < 1 && !(this.runtime.random() < this.sampleRate)) {
        this.counts.sampledOut++;
        return;
      }
      let event: IngestEvent | null;
      try {
        event = toIngestEvent(result, this.runtime.now(), newEvaluationId);
      } catch {
        event = null;
      }
      if (event === null) {
        this.counts.failed++;
        this.notice('invalid');
        return;
      }
      if (this.buffer.length >= this.maxBuffer) {
        this.buffer.shift();
        this.counts.dropped++;
        this.notice('overflow');
        this.settleWaiters();
      }
      this.buffer.push({ seq: ++this.lastSeq, event });
      if (this.buffer.length >= this.batchTrigger) this.startWorker();
      if (this.flushTimer === undefined) this.armFlushTimer();
    } catch {
      // The contract is that tracking can never break the caller; the counters above are all that can be lost.
    }
  }

  flush(): Promise<void> {
    const target = this.lastSeq;
    this.dueThrough = Math.max(this.dueThrough, target);
    const done = this.waitFor(target);
    this.startWorker();
    return done.then(() => this.reportNotices(true));
  }

  /**
   * Stops the timer and drains: every buffered event is delivered or definitively rejected, within `timeoutMs`
   * (default DEFAULT_SHUTDOWN_TIMEOUT_MS, 10 s; Infinity waits for every retry). At the deadline the request in
   * progress is aborted, the retry wait ends, and every event not yet delivered counts as dropped. Before that, a
   * batch gets at most maxRetries retries, and once one batch runs out of retries during shutdown the server is
   * taken to be gone and the rest of the buffer is counted as failed instead of each batch waiting out its own
   * retries. Idempotent: later calls return the same promise (their options are ignored). A bad `timeoutMs`
   * rejects with a TypeError and shuts nothing down.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    if (this.shutdownPromise !== undefined) return this.shutdownPromise;
    const timeoutMs = options?.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0 || (Number.isFinite(timeoutMs) && timeoutMs > MAX_TIMER_MS)) {
      return Promise.reject(new TypeError('PectaTelemetry: shutdown timeoutMs must be a number of milliseconds from 0 to 2147483647, or Infinity'));
    }
    this.shutdownPromise = (async () => {
      this.closed = true;
      this.runtime.clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      let deadline: unknown;
      if (Number.isFinite(timeoutMs)) {
        deadline = this.runtime.setTimeout(() => this.expire(), timeoutMs);
        // Someone awaits shutdown(): the deadline must fire even if nothing else keeps the process alive.
        setTimerRef(deadline, true);
      }
      try {
        await this.flush();
      } finally {
        this.runtime.clearTimeout(deadline);
      }
    })();
    return this.shutdownPromise;
  }

  stats(): TelemetryStats {
    return { ...this.counts, pending: this.buffer.length + this.inFlight.length };
  }

  // ---- scheduling ---------------------------------------------------------------------------------------------------

  private armFlushTimer(): void {
    if (this.closed) return;
    this.flushTimer = this.runtime.setTimeout(() => {
      this.flushTimer = undefined;
      this.dueThrough = Math.max(this.dueThrough, this.lastSeq);
      this.reportNotices(false);
      this.startWorker();
    }, this.flushIntervalMs);
    // A tracked event must not keep the process alive; shutdown() is how an application makes sure it is sent.
    setTimerRef(this.flushTimer, false);
  }

  private startWorker(): void {
    this.worker ??= this.work();
  }

  private async work(): Promise<void> {
    // Batching and serialising happen off the caller's stack, never inside track().
    await null;
    try {
      for (;;) {
        if (this.expired) {
          this.dropBuffer();
          this.settleWaiters();
          break;
        }
        const batch = this.takeBatch();
        if (batch === undefined) break;
        this.inFlight = batch.items;
        let result: DeliveryResult;
        try {
          result = await this.deliver(batch.items.length, batch.body);
        } catch (error) {
          // deliver() handles every expected failure; this is a bug, and must not leave events pending forever.
          this.counts.failed += batch.items.length;
          this.report(`${batch.items.length} event(s) not sent: ${describeError(error)}`);
          result = 'rejected';
        }
        this.inFlight = [];
        if (result === 'exhausted' && this.closed) this.abandonBuffer();
        this.settleWaiters();
      }
    } finally {
      this.worker = undefined;
    }
  }

  /** The next due batch, removed from the buffer and serialised, or undefined when nothing is due. */
  private takeBatch(): { items: Buffered[]; body: string } | undefined {
    const head = this.buffer.peek();
    if (head === undefined) return undefined;
    if (this.buffer.length < this.batchTrigger && head.seq > this.dueThrough) return undefined;
    const items: Buffered[] = [];
    const parts: string[] = [];
    let bytes = BODY_PREFIX.length + BODY_SUFFIX.length;
    while (items.length < this.maxBatch) {
      const next = this.buffer.peek();
      if (next === undefined) break;
      const json = JSON.stringify(next.event);
      const size = utf8Length(json) + (items.length > 0 ? 1 : 0);
      if (items.length > 0 && bytes + size > MAX_BODY_BYTES) break;
      this.buffer.shift();
      items.push(next);
      parts.push(json);
      bytes += size;
    }
    return { items, body: `${BODY_PREFIX}${parts.join(',')}${BODY_SUFFIX}` };
  }

  /** Delivers one batch: the same bytes (and signature) on every attempt, so a replay is recognisably the same. */
  private async deliver(count: number, body: string): Promise<DeliveryResult> {
    const bytes = new TextEncoder().encode(body);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.apiKey}`,
      'content-type': 'application/json',
    };
    if (this.sign) {
      try {
        headers['x-pecta-signature'] = await this.sign(bytes);
      } catch (error) {
        this.counts.failed += count;
        this.report(`${count} event(s) not sent: signing failed (${describeError(error)})`);
        return 'rejected';
      }
    }
    for (let attempt = 0; ; attempt++) {
      if (this.expired) return this.dropExpired(count);
      const outcome = await this.attempt(bytes, headers);
      // An answer that raced the deadline still counts; anything else after it is not tried again.
      if (this.expired && outcome.kind !== 'ok' && outcome.kind !== 'reject') return this.dropExpired(count);
      if (outcome.kind === 'ok') {
        this.counts.sent += count;
        return 'sent';
      }
      if (outcome.kind === 'reject') {
        this.counts.failed += count;
        this.report(`${count} event(s) rejected by the server: ${outcome.why}`);
        return 'rejected';
      }
      if (attempt >= this.maxRetries) {
        this.counts.failed += count;
        this.report(`${count} event(s) not sent after ${this.maxRetries} retries: ${outcome.why}`);
        return 'exhausted';
      }
      await this.sleep(retryDelay(attempt, outcome.retryAfterMs, this.runtime.random));
    }
  }

  private async attempt(body: Uint8Array<ArrayBuffer>, headers: Record<string, string>): Promise<AttemptResult> {
    const controller = new AbortController();
    const timer = this.runtime.setTimeout(() => controller.abort(), this.runtime.requestTimeoutMs);
    this.requestTimer = timer;
    // Unless someone awaits the outcome, the timeout must not hold the process open (the socket may, for a while).
    setTimerRef(timer, this.mustStayAlive());
    const abortOnExpiry = () => controller.abort();
    this.expiry.signal.addEventListener('abort', abortOnExpiry);
    try {
      // Raced against the signal too: a fetch that ignores its signal must not hold up shutdown() past its deadline.
      const response = await untilAborted(this.fetchFn(this.url, { method: 'POST', headers, body, signal: controller.signal }), controller.signal);
      const status = response.status;
      let text = '';
      try {
        text = await untilAborted(response.text(), controller.signal);
      } catch {
        // An answer whose status arrived but whose body did not: the status is what matters.
      }
      if (status >= 200 && status < 300) return { kind: 'ok' };
      if (status === 429 || status >= 500) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.runtime.now());
        const why = `HTTP ${status}${errorCode(text)}`;
        return retryAfterMs === undefined ? { kind: 'retry', why } : { kind: 'retry', why, retryAfterMs };
      }
      return { kind: 'reject', why: `HTTP ${status}${errorCode(text)}${errorMessage(text)}` };
    } catch (error) {
      return { kind: 'retry', why: controller.signal.aborted ? 'request timed out' : `network error (${describeError(error)})` };
    } finally {
      this.expiry.signal.removeEventListener('abort', abortOnExpiry);
      this.requestTimer = undefined;
      this.runtime.clearTimeout(timer);
    }
  }

  /** Waits `ms`, or less when shutdown()'s deadline passes meanwhile. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.expiry.signal.removeEventListener('abort', wake);
        this.runtime.clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
        resolve();
      };
      this.retryTimer = this.runtime.setTimeout(wake, ms);
      setTimerRef(this.retryTimer, this.mustStayAlive());
      this.expiry.signal.addEventListener('abort', wake);
    });
  }

  /** shutdown()'s deadline: stop sending; the worker counts what is left as dropped and settles the waiters. */
  private expire(): void {
    this.expired = true;
    this.expiry.abort();
    // A worker in the middle of a delivery wakes up through the abort; without one, this starts one to settle up.
    this.startWorker();
  }

  private dropExpired(count: number): DeliveryResult {
    this.counts.dropped += count;
    this.report(`${count} event(s) dropped: shutdown() deadline passed before they were delivered`);
    return 'expired';
  }

  private dropBuffer(): void {
    const rest = this.buffer.clear();
    if (rest.length === 0) return;
    this.counts.dropped += rest.length;
    this.report(`${rest.length} more event(s) dropped: shutdown() deadline passed before they were sent`);
  }

  /** Resolves once every event tracked up to `seq` is sent, dropped or failed. */
  private waitFor(seq: number): Promise<void> {
    if (seq < this.oldestPendingSeq()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ seq, resolve });
      setTimerRef(this.retryTimer, true);
      setTimerRef(this.requestTimer, true);
    });
  }

  /**
   * A pending promise does not keep Node alive: while flush() or shutdown() is awaited, the timers of the delivery in
   * progress must, or `await telemetry.shutdown()` at the end of a script could exit with the retry never made.
   */
  private mustStayAlive(): boolean {
    return this.closed || this.waiters.length > 0;
  }

  private oldestPendingSeq(): number {
    return this.inFlight[0]?.seq ?? this.buffer.peek()?.seq ?? Number.POSITIVE_INFINITY;
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    const oldest = this.oldestPendingSeq();
    const still: Array<{ seq: number; resolve: () => void }> = [];
    for (const waiter of this.waiters) {
      if (waiter.seq < oldest) waiter.resolve();
      else still.push(waiter);
    }
    this.waiters = still;
  }

  private abandonBuffer(): void {
    const rest = this.buffer.clear();
    if (rest.length === 0) return;
    this.counts.failed += rest.length;
    this.report(`${rest.length} more event(s) not sent: shutting down and the server is unreachable`);
  }

  // ---- reporting ----------------------------------------------------------------------------------------------------

  private report(message: string): void {
    if (this.onError === undefined) return;
    try {
      this.onError(`pecta telemetry: ${message}`);
    } catch {
      // A throwing callback must not break delivery.
    }
  }

  private notice(kind: keyof Notices): void {
    if (this.onError === undefined) return;
    this.notices[kind]++;
    this.reportNotices(false);
  }

  /** Per-event problems are summed and reported at most once per flush interval (or when forced), not per event. */
  private reportNotices(force: boolean): void {
    const { overflow, afterShutdown, invalid } = this.notices;
    if (overflow + afterShutdown + invalid === 0) return;
    const now = this.runtime.now();
    if (!force && now - this.lastNoticeAt < this.flushIntervalMs) return;
    this.lastNoticeAt = now;
    this.notices = { overflow: 0, afterShutdown: 0, invalid: 0 };
    if (overflow > 0) this.report(`${overflow} event(s) dropped: the buffer was full (maxBuffer ${this.maxBuffer}), oldest first`);
    if (afterShutdown > 0) this.report(`${afterShutdown} event(s) dropped: track() called after shutdown()`);
    if (invalid > 0) this.report(`${invalid} result(s) not tracked: not an evaluation result with a non-empty string agent_id`);
  }
}

/** `promise`, or a rejection as soon as `signal` aborts (for promises that may ignore the signal they were given). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** ` <code>` from an error body in the API's shape, or '' (a proxy's HTML error page, an empty body). */
function errorCode(text: string): string {
  const body = parseErrorBody(text);
  return body?.code === undefined ? '' : ` ${body.code}`;
}

function errorMessage(text: string): string {
  const body = parseErrorBody(text);
  return body?.error === undefined ? '' : `: ${body.error}`;
}

function parseErrorBody(text: string): { code?: string; error?: string } | undefined {
  if (text.length === 0 || text.length > 10_000) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { code, error } = parsed as { code?: unknown; error?: unknown };
    const out: { code?: string; error?: string } = {};
    if (typeof code === 'string') out.code = code.slice(0, 100);
    if (typeof error === 'string') out.error = error.slice(0, 300);
    return out;
  } catch {
    return undefined;
  }
}
