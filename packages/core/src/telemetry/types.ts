/**
 * The contract of PectaTelemetry (docs/sdk.md, Telemetry), fixed first so that the proxy and the SDK docs can rely on it while the
 * client is built. Everything here is web-standard: no Node-only types.
 */

export interface TelemetryOptions {
  /** A `pk_live_` (or `sk_live_`) key of the organisation the events belong to. */
  apiKey: string;
  /** Base URL of the Pecta API. Default `http://localhost:8787`. */
  endpoint?: string;
  /** An `sk_live_` key: when given, every batch is signed (`X-Pecta-Signature: sha256=<hex HMAC of the body>`). */
  secretKey?: string;
  /** Share of tracked results that are sent, 0–1. Default 1. Local gating is unaffected. */
  sampleRate?: number;
  /** Flush every this many ms. Default 5000. */
  flushIntervalMs?: number;
  /** Events per request, 1–100 (the ingest maximum). Default 100. */
  maxBatch?: number;
  /** Events held in memory at most; when full the oldest are dropped and counted. Default 10000. */
  maxBuffer?: number;
  /** Retries of one batch on network errors, 5xx and 429 before it is counted as failed. Default 8. */
  maxRetries?: number;
  /** Injectable fetch (tests, custom agents). Default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Called with a short message when a batch is rejected for good or events are dropped. Default: silent. */
  onError?: (message: string) => void;
}

export interface TelemetryStats {
  /** Events accepted by the server (202), duplicates included. */
  sent: number;
  /** Events dropped: the buffer was full, track() came after shutdown(), or shutdown()'s deadline passed first. */
  dropped: number;
  /** Events given up on: rejected with a 4xx other than 429, or out of retries. */
  failed: number;
  /** Events not sent because of sampling. */
  sampledOut: number;
  /** Events waiting in the buffer or in flight. */
  pending: number;
}

export interface ShutdownOptions {
  /**
   * Milliseconds to keep delivering before giving up; what is not delivered by then counts as dropped. Default
   * 10000, inside the usual 30 s between SIGTERM and SIGKILL. Infinity waits for every retry.
   */
  timeoutMs?: number;
}

export interface Telemetry {
  /** Synchronous and never throws: strips the result to the data boundary and buffers it. */
  track(result: import('../types.js').EvaluationResult): void;
  /** Sends everything buffered now; resolves when those batches were delivered or definitively rejected. */
  flush(): Promise<void>;
  /**
   * Stops the timer, drains the buffer, resolves when everything was delivered or definitively rejected, or when
   * `timeoutMs` (default 10 s) has passed: then what is left is counted as dropped.
   */
  shutdown(options?: ShutdownOptions): Promise<void>;
  stats(): TelemetryStats;
}
