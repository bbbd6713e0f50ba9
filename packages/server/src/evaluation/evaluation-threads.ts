/**
 * Sends large `POST /v1/evaluate` bodies to evaluation threads (evaluation-worker.ts) and resolves them with their
 * verdicts. The budget bounds an evaluation at its timeout, but on the HTTP thread even 50 ms of gates (plus parsing
 * a megabyte of JSON) stalls every other request behind it, health checks included. Small bodies, the common case,
 * stay on the HTTP thread, where they cost microseconds and a hop between threads would cost more.
 *
 * A thread that cannot start or dies hands its bodies back to the HTTP thread (`inline`): slower for everyone while
 * they run, but still answered. Work waiting for the threads is bounded: past `maxQueued` per thread a body is
 * refused with 503 `unavailable` and Retry-After, rather than queued for seconds.
 */
import type { Worker } from 'node:worker_threads';
import { ApiError } from '../errors.js';
import { spawnThread } from '../threads.js';
import type { Evaluated } from './evaluate-body.js';
import type { EvaluationThreadConfig, FromEvaluator, ToEvaluator } from './protocol.js';

export interface EvaluationThreadsOptions {
  /** Threads to start; 0 evaluates every body on the HTTP thread. */
  threads: number;
  /** Bodies of at least this many bytes go to a thread. */
  minBytes: number;
  /** Bodies waiting per thread (the one being evaluated included) before new ones are refused. */
  maxQueued: number;
  config: EvaluationThreadConfig;
  /** The same evaluation on the calling thread, for when no thread is there to take it. */
  inline: (raw: Buffer) => Promise<Evaluated>;
}

interface PendingEvaluation {
  raw: Buffer;
  resolve: (evaluated: Evaluated) => void;
  reject: (error: unknown) => void;
}

class EvaluationThread {
  readonly pending = new Map<number, PendingEvaluation>();
  readonly ready: Promise<boolean>;
  readonly exit: Promise<void>;
  gone = false;

  constructor(
    readonly worker: Worker,
    private readonly onGone: (orphans: PendingEvaluation[]) => void,
  ) {
    this.exit = new Promise<void>((resolve) => worker.once('exit', () => (this.markGone(), resolve())));
    this.ready = new Promise<boolean>((resolve) => {
      worker.once('message', () => {
        // Idle, the thread must not keep the process alive; post() refs it while a body waits.
        if (this.pending.size === 0) worker.unref();
        resolve(true);
      });
      void this.exit.then(() => resolve(false));
    });
    worker.on('message', (message: FromEvaluator) => this.onMessage(message));
    // Without a listener an error in the thread would be rethrown here; the exit that follows hands bodies back.
    worker.on('error', () => undefined);
    worker.on('messageerror', () => void worker.terminate());
  }

  post(id: number, pending: PendingEvaluation): void {
    if (this.pending.size === 0) this.worker.ref();
    this.pending.set(id, pending);
    // A copy of its own, so that the bytes can be moved to the thread instead of copied again.
    const body = new Uint8Array(pending.raw);
    this.worker.postMessage({ type: 'evaluate', id, body } satisfies ToEvaluator, [body.buffer]);
  }

  close(): Promise<void> {
    if (!this.gone) {
      this.worker.ref();
      this.worker.postMessage({ type: 'close' } satisfies ToEvaluator);
    }
    return this.exit;
  }

  private onMessage(message: FromEvaluator): void {
    if (message.type === 'ready') return;
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.worker.unref();
    if (message.type === 'done') pending.resolve(message.evaluated);
    else if (message.type === 'refused') pending.reject(new ApiError(message.code, message.message));
    else pending.reject(new Error('evaluation thread failed on a body'));
  }

  private markGone(): void {
    if (this.gone) return;
    this.gone = true;
    const orphans = [...this.pending.values()];
    this.pending.clear();
    this.onGone(orphans);
  }
}

export class EvaluationThreads {
  private threads: EvaluationThread[] = [];
  private starting: Promise<void> | undefined;
  private nextId = 1;
  private closed = false;
  /** Bodies answered by a thread (not by the inline fallback). */
  answered = 0;

  constructor(private readonly options: EvaluationThreadsOptions) {}

  /** True when a body of this size is evaluated on a thread. */
  wants(bytes: number): boolean {
    return this.options.threads > 0 && !this.closed && bytes >= this.options.minBytes;
  }

  /** Starts the threads and waits until each has warmed its detectors (or failed to start). Idempotent. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      this.threads = Array.from(
        { length: this.options.threads },
        () => new EvaluationThread(spawnThread('evaluation', this.options.config), (orphans) => this.takeBack(orphans)),
      );
      await Promise.all(this.threads.map((t) => t.ready));
    })();
    return this.starting;
  }

  /** Threads that are running. */
  /** The threads that evaluate bodies now, for diagnostics and fault drills. */
  workers(): Worker[] {
    return this.threads.filter((thread) => !thread.gone).map((thread) => thread.worker);
  }

  get live(): number {
    return this.threads.filter((t) => !t.gone).length;
  }

  async evaluate(raw: Buffer): Promise<Evaluated> {
    // Once closing, no thread is started or given work.
    if (this.closed) return this.options.inline(raw);
    await this.start();
    let target: EvaluationThread | undefined;
    for (const thread of this.threads) {
      if (!thread.gone && (target === undefined || thread.pending.size < target.pending.size)) target = thread;
    }
    if (target === undefined || this.closed) return this.options.inline(raw);
    if (target.pending.size >= this.options.maxQueued) {
      throw new ApiError('unavailable', 'too many large evaluations are waiting; retry shortly', { 'Retry-After': '1' });
    }
    return new Promise<Evaluated>((resolve, reject) =>
      target.post(this.nextId++, {
        raw,
        resolve: (evaluated) => {
          this.answered++;
          resolve(evaluated);
        },
        reject,
      }),
    );
  }

  /** Lets the threads finish what they hold, then stops them. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.starting !== undefined) await this.starting;
    await Promise.all(this.threads.map((t) => t.close()));
  }

  private takeBack(orphans: PendingEvaluation[]): void {
    for (const { raw, resolve, reject } of orphans) this.options.inline(raw).then(resolve, reject);
  }
}
