/**
 * Hands a SqliteStore's slow reads to the reader thread (reader-worker.ts) and resolves them with its rows.
 *
 * A deep offset page of events is milliseconds of index stepping inside one SQLite call. On the event loop, one
 * client paging deep held up every other request meanwhile (docs/benchmarks.md, API, the mixed rows). On its own
 * thread it only competes for a core. If the thread cannot start or dies, reads fall back to the calling
 * thread (`inline`): slower for everyone else while they run, but still answered, and nothing is lost by a read.
 */
import type { Worker } from 'node:worker_threads';
import type { Row } from './connection.js';
import type { SqlValue } from './driver.js';
import { fromWireError, type FromReader, type ReaderThreadConfig, type ToReader } from './protocol.js';
import { spawnThread } from '../../threads.js';

export type InlineRead = (sql: string, params: SqlValue[]) => Row[];

interface PendingRead {
  sql: string;
  params: SqlValue[];
  resolve: (rows: Row[]) => void;
  reject: (error: unknown) => void;
}

export class ThreadReader {
  private readonly pending = new Map<number, PendingRead>();
  private nextId = 1;
  private gone = false;
  private closing = false;
  private readonly exit: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly inline: InlineRead,
  ) {
    this.exit = new Promise<void>((resolve) => worker.once('exit', () => (this.onGone(), resolve())));
    worker.on('message', (message: FromReader) => this.onMessage(message));
    // Without a listener an error in the thread would be rethrown here; the exit that follows hands reads back.
    worker.on('error', () => undefined);
    worker.on('messageerror', () => void worker.terminate());
  }

  /** Starts the thread; if it cannot open the file, every read simply runs inline. */
  static async start(config: ReaderThreadConfig, inline: InlineRead): Promise<ThreadReader> {
    const reader = new ThreadReader(spawnThread('reader', config), inline);
    await new Promise<void>((resolve) => {
      reader.worker.once('message', () => resolve());
      void reader.exit.then(resolve);
    });
    // Idle, the thread must not keep the process alive; all() refs it while a read waits.
    reader.worker.unref();
    return reader;
  }

  /** True while reads go to the thread. */
  get threaded(): boolean {
    return !this.gone;
  }

  /** The reader's thread while reads go to it, else null. */
  get thread(): Worker | null {
    return this.gone ? null : this.worker;
  }

  all(sql: string, params: SqlValue[]): Promise<Row[]> {
    if (this.gone) return Promise.resolve().then(() => this.inline(sql, params));
    return new Promise<Row[]>((resolve, reject) => {
      const id = this.nextId++;
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { sql, params, resolve, reject });
      this.worker.postMessage({ type: 'query', id, sql, params } satisfies ToReader);
    });
  }

  /** Answers what is pending, then stops the thread. */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      if (!this.gone) {
        // Until it has exited, the thread keeps the process alive: whoever awaits close() is owed its exit.
        this.worker.ref();
        this.worker.postMessage({ type: 'close' } satisfies ToReader);
      }
    }
    await this.exit;
  }

  private onMessage(message: FromReader): void {
    if (message.type === 'ready') return;
    const read = this.pending.get(message.id);
    if (!read) return;
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.worker.unref();
    if (message.ok) read.resolve(message.rows);
    else read.reject(fromWireError(message.error));
  }

  private onGone(): void {
    this.gone = true;
    if (!this.closing) {
      // Still serving, but deep pages now hold up the event loop again: say so once, on stderr.
      process.emitWarning('SqliteStore: the reader thread stopped; event pages and agent lists now run on the main thread');
    }
    // Reads the thread took with it are run here, in the order they were asked.
    for (const read of this.pending.values()) {
      try {
        read.resolve(this.inline(read.sql, read.params));
      } catch (error) {
        read.reject(error);
      }
    }
    this.pending.clear();
  }
}
