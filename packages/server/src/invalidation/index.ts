/**
 * Cache invalidation across instances (docs/api.md, Authentication): whoever changes keys, limits or settings publishes what
 * changed after the store commit, and every instance drops its cached copies. Messages name an organisation, never a
 * key. Without Redis nothing is published and each instance's cache time is the bound.
 */
import { RedisConnection, type RedisStateLog } from '../redis/connection.js';

export interface Invalidation {
  org: string;
}

export interface InvalidationPublisher {
  publish(message: Invalidation): Promise<void>;
  close(): Promise<void>;
}

export type InvalidationLog = RedisStateLog;

/** Without Redis there is no one to tell: other processes rely on their cache time. */
export class NoInvalidationBus implements InvalidationPublisher {
  async publish(): Promise<void> {}
  async close(): Promise<void> {}
}

export const INVALIDATION_CHANNEL = 'invalidate';

/** Organisation ids are short printable strings; anything else on the channel is not ours to act on. */
export function parseInvalidation(raw: string): Invalidation | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const org = (value as { org?: unknown }).org;
  if (typeof org !== 'string' || org.length === 0 || org.length > 200) return null;
  return { org };
}

export interface RedisInvalidationBusOptions {
  url: string;
  keyPrefix: string;
  /** Bound on a publish's round trip: a revocation's response never waits longer for Redis. */
  commandTimeoutMs: number;
  log?: InvalidationLog;
}

export interface InvalidationHandlers {
  /** Drop what the message names. */
  onInvalidate(message: Invalidation): void;
  /** Messages may have been missed while the subscription was down: drop everything. */
  onResync(): void;
}

export class RedisInvalidationBus implements InvalidationPublisher {
  readonly channel: string;
  log: InvalidationLog | undefined;
  private readonly publisher: RedisConnection;
  private subscriber: RedisConnection | undefined;
  private readonly displayUrl: string;
  private subscribed = false;
  private lost = false;

  constructor(private readonly options: RedisInvalidationBusOptions) {
    this.channel = options.keyPrefix + INVALIDATION_CHANNEL;
    this.log = options.log;
    this.publisher = new RedisConnection(options.url, { commandTimeoutMs: options.commandTimeoutMs });
    this.displayUrl = this.publisher.displayUrl;
  }

  /** Connects the publishing connection; rejects with RedisUnreachableError naming the (redacted) URL. */
  connect(): Promise<void> {
    return this.publisher.connect(false);
  }

  /** Rejects when Redis does not take the message; the caller decides whether that matters. */
  async publish(message: Invalidation): Promise<void> {
    await this.publisher.client.publish(this.channel, JSON.stringify(message));
  }

  /**
   * Subscribes on a connection of its own (a subscribed connection can run nothing else). Resolves once subscribed;
   * afterwards a lost subscription is retried for as long as the process runs, and each time it is back
   * `onResync` runs once.
   */
  async subscribe(handlers: InvalidationHandlers): Promise<void> {
    const connection = new RedisConnection(this.options.url, { commandTimeoutMs: this.options.commandTimeoutMs, subscriber: true });
    this.subscriber = connection;
    const subscriber = connection.client;
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.channel) return;
      const message = parseInvalidation(raw);
      if (message) handlers.onInvalidate(message);
    });
    subscriber.on('close', () => {
      if (!this.subscribed || this.lost) return;
      this.lost = true;
      this.log?.warn(
        `cache invalidation: lost the subscription to Redis at ${this.displayUrl}; ` +
          'changes made elsewhere take effect here within the cache time until it is back',
      );
    });
    // Re-subscribed by hand rather than by ioredis, so that the caches are dropped only once the subscription is
    // confirmed: a change published before that would otherwise be missed after the drop.
    subscriber.on('ready', () => {
      if (!this.lost) return;
      subscriber.subscribe(this.channel).then(
        () => {
          if (!this.lost) return;
          this.lost = false;
          handlers.onResync();
          this.log?.info(`cache invalidation: subscribed to Redis at ${this.displayUrl} again; dropped every cached key and organisation once`);
        },
        () => {},
      );
    });
    await subscriber.connect();
    await subscriber.subscribe(this.channel);
    this.subscribed = true;
  }

  async close(): Promise<void> {
    this.subscribed = false;
    await this.subscriber?.close();
    await this.publisher.close();
  }
}
