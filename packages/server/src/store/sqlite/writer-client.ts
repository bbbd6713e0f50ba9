/**
 * How a SqliteStore hands its writes to the single SqliteWriter: on a worker thread (ThreadWriterClient, for a file) or
 * inline on the calling thread (InlineWriterClient, for ':memory:', which cannot be shared between threads).
 *
 * Both queue every write of one event-loop turn and hand the turn's requests over together, in call order; both
 * settle each promise only once the writer reports that its transaction committed.
 */
import type { Worker } from 'node:worker_threads';
import { readSettings, type SqliteSettings } from './connection.js';
import type { Database } from './driver.js';
import { fromWireError, type FromWriter, type ToWriter, type WriterThreadConfig } from './protocol.js';
import { spawnThread } from '../../threads.js';
import type { SqliteWriteStats, SqliteWriter, WriteOp, WriteRequest, WriteValues } from './writer.js';
import { wireEventCount } from './wire-events.js';

export interface WriterClient {
  /** False once the writer can no longer write (its thread died); writes then reject with `failure`. */
  readonly alive: boolean;
  /** The writer's thread while it runs, or null (the writer runs on the calling thread, or its thread is gone). */
  readonly thread: Worker | null;
  settings(): SqliteSettings;
  stats(): SqliteWriteStats;
  write<K extends WriteOp['op']>(op: Extract<WriteOp, { op: K }>): Promise<WriteValues[K]>;
  /** Hands over what is queued, waits until all of it is settled, then releases the writer. */
  close(): Promise<void>;
}

interface Pending {
  resolve: (value: never) => void;
  reject: (error: unknown) => void;
}

abstract class QueueingClient implements WriterClient {
  abstract readonly thread: Worker | null;
  protected failure: Error | null = null;
  protected readonly pending = new Map<number, Pending>();
  private outbox: WriteRequest[] = [];
  private outboxEvents = 0;
  private flushTimer: ReturnType<typeof setImmediate> | null = null;
  private nextId = 1;
  private readonly flushLater = () => {
    this.flushTimer = null;
    this.flush();
  };

  constructor(private readonly maxQueuedEvents: number) {}

  get alive(): boolean {
    return this.failure === null;
  }

  abstract settings(): SqliteSettings;
  abstract stats(): SqliteWriteStats;
  abstract close(): Promise<void>;
  /** Hands requests to the writer, in order. */
  protected abstract transmit(requests: WriteRequest[]): void;
  /** Called when the first request starts waiting and when the last one settled. */
  protected onBusyChange(_busy: boolean): void {}

  write<K extends WriteOp['op']>(op: Extract<WriteOp, { op: K }>): Promise<WriteValues[K]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<WriteValues[K]>((resolve, reject) => {
      const id = this.nextId++;
      if (this.pending.size === 0) this.onBusyChange(true);
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject });
      this.outbox.push({ ...op, id } as WriteRequest);
      if (op.op === 'recordEvents') this.outboxEvents += wireEventCount((op as Extract<WriteOp, { op: 'recordEvents' }>).events);
      // A full message goes now; otherwise the rest of this event-loop turn may add to it.
      if (this.outboxEvents >= this.maxQueuedEvents) this.flush();
      else this.flushTimer ??= setImmediate(this.flushLater);
    });
  }

  protected flush(): void {
    if (this.flushTimer !== null) {
      clearImmediate(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.outbox.length === 0) return;
    const requests = this.outbox;
    this.outbox = [];
    this.outboxEvents = 0;
    this.transmit(requests);
  }

  protected settle(id: number, outcome: { ok: true; value: unknown } | { ok: false; error: unknown }): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    if (outcome.ok) waiting.resolve(outcome.value as never);
    else waiting.reject(outcome.error);
    if (this.pending.size === 0) this.onBusyChange(false);
  }

  /** Rejects everything queued or in flight, and every later write, with `error`. */
  protected fail(error: Error): void {
    this.failure ??= error;
    if (this.flushTimer !== null) {
      clearImmediate(this.flushTimer);
      this.flushTimer = null;
    }
    this.outbox = [];
    this.outboxEvents = 0;
    for (const id of [...this.pending.keys()]) this.settle(id, { ok: false, error: this.failure });
  }
}

/** Runs the writer on the calling thread: a flush blocks the event loop for as long as its transaction takes. */
export class InlineWriterClient extends QueueingClient {
  readonly thread = null;

  private closed = false;

  constructor(
    private readonly writer: SqliteWriter,
    private readonly db: Database,
    maxQueuedEvents: number,
  ) {
    super(maxQueuedEvents);
  }

  settings(): SqliteSettings {
    return readSettings(this.db);
  }

  stats(): SqliteWriteStats {
    return { ...this.writer.stats };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
  }

  protected transmit(requests: WriteRequest[]): void {
    while (requests.length > 0) {
      for (const settled of this.writer.executeNext(requests)) this.settle(settled.id, settled);
    }
  }
}

/** Runs the writer on its own thread (writer-worker.ts) with its own connection to the file. */
export class ThreadWriterClient extends QueueingClient {
  get thread(): Worker | null {
    return this.alive ? this.worker : null;
  }

  private latestStats: SqliteWriteStats = { transactions: 0, batches: 0, failedGroups: 0, retriedBatches: 0 };
  private writerSettings: SqliteSettings | null = null;
  private crash: Error | null = null;
  private closeRequested = false;
  private closeError: Error | null = null;
  private exited = false;
  private readonly exit: Promise<void>;
  private readonly ready: Promise<void>;
  private onReady!: { resolve: () => void; reject: (error: Error) => void };

  private constructor(
    private readonly worker: Worker,
    maxQueuedEvents: number,
  ) {
    super(maxQueuedEvents);
    this.ready = new Promise<void>((resolve, reject) => (this.onReady = { resolve, reject }));
    this.exit = new Promise<void>((resolve) => worker.once('exit', (code) => (this.onExit(code), resolve())));
    worker.on('message', (message: FromWriter) => this.onMessage(message));
    // Without a listener an error in the thread would be rethrown here and take the whole process down.
    worker.on('error', (error) => (this.crash ??= error));
    // An answer that cannot be read would leave its promises pending: stop the thread, which rejects everything.
    worker.on('messageerror', (error) => {
      this.crash ??= error;
      void worker.terminate();
    });
  }

  /** Starts the thread; resolves once its connection is open and the schema migrated. */
  static async start(config: WriterThreadConfig): Promise<ThreadWriterClient> {
    const client = new ThreadWriterClient(spawnThread('writer', config), config.maxGroupEvents);
    try {
      await client.ready;
    } catch (error) {
      await client.exit;
      throw error;
    }
    // Idle, the thread must not keep the process alive; onBusyChange refs it while a write waits.
    client.worker.unref();
    return client;
  }

  settings(): SqliteSettings {
    if (!this.writerSettings) throw new Error('SqliteStore: the writer thread has not started');
    return this.writerSettings;
  }

  stats(): SqliteWriteStats {
    return { ...this.latestStats };
  }

  async close(): Promise<void> {
    if (!this.closeRequested) {
      this.closeRequested = true;
      this.flush();
      // Until it has exited, the thread keeps the process alive: whoever awaits close() is owed every queued commit.
      this.worker.ref();
      if (!this.exited) this.worker.postMessage({ type: 'close' } satisfies ToWriter);
    }
    await this.exit;
    if (this.closeError) throw this.closeError;
  }

  protected override transmit(requests: WriteRequest[]): void {
    try {
      this.worker.postMessage({ type: 'write', requests } satisfies ToWriter);
    } catch {
      // Something in one request cannot be cloned (a function or symbol where a value belongs; event batches are
      // checked when encoded): send them one by one, so that only that request fails. Nothing was sent by the failed
      // call.
      for (const request of requests) {
        try {
          this.worker.postMessage({ type: 'write', requests: [request] } satisfies ToWriter);
        } catch (error) {
          this.settle(request.id, { ok: false, error });
        }
      }
    }
  }

  protected override onBusyChange(busy: boolean): void {
    if (this.closeRequested || this.exited) return;
    if (busy) this.worker.ref();
    else this.worker.unref();
  }

  private onMessage(message: FromWriter): void {
    switch (message.type) {
      case 'settled':
        this.latestStats = message.stats;
        for (const settled of message.settled) {
          this.settle(settled.id, settled.ok ? settled : { ok: false, error: fromWireError(settled.error) });
        }
        return;
      case 'ready':
        this.writerSettings = message.settings;
        this.onReady.resolve();
        return;
      case 'failed':
        this.closeRequested = true;
        this.onReady.reject(fromWireError(message.error));
        return;
      case 'closed':
        this.closeError = message.error ? fromWireError(message.error) : null;
        return;
    }
  }

  private onExit(code: number): void {
    this.exited = true;
    const expected = this.closeRequested && this.pending.size === 0;
    if (expected) return;
    const why = this.crash ? `: ${this.crash.message}` : ` (exit code ${code})`;
    const error = new Error(`SqliteStore: the writer thread stopped unexpectedly${why}; no write can be accepted`, {
      cause: this.crash ?? undefined,
    });
    this.onReady.reject(error);
    this.fail(error);
  }
}
