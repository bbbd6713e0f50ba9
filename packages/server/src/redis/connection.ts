/**
 * One connection to Redis as every Redis user in the server needs it (the shared rate limiter, the invalidation bus):
 * a command never queues behind a reconnection or waits past its timeout, reconnection goes on for as long as the
 * process runs, and an unreachable server at start is an error that says why, with the URL's password hidden.
 */
import { Redis } from 'ioredis';

/** Where a Redis user reports that it lost Redis, and that it is back: once per change of state. */
export interface RedisStateLog {
  warn(message: string): void;
  info(message: string): void;
}

export class RedisUnreachableError extends Error {
  override name = 'RedisUnreachableError';
}

/** The URL as it may appear in logs and errors: without its password. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable Redis URL)';
  }
}

export interface RedisConnectionOptions {
  /** Bound on one command's round trip; also the floor of the connect timeout (at least 1 s). */
  commandTimeoutMs: number;
  /**
   * A subscriber connection: it runs no commands of its own besides SUBSCRIBE, so it keeps ioredis's offline queue
   * and has no command timeout, and it is re-subscribed by its owner, not by ioredis.
   */
  subscriber?: boolean;
}

export class RedisConnection {
  readonly client: Redis;
  /** The URL without its password. */
  readonly displayUrl: string;
  #lastError: Error | undefined;

  constructor(url: string, options: RedisConnectionOptions) {
    this.displayUrl = redactRedisUrl(url);
    const subscriber = options.subscriber === true;
    this.client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: Math.max(options.commandTimeoutMs, 1000),
      maxRetriesPerRequest: 0,
      // Keep reconnecting for as long as the process runs: losing Redis is meant to be temporary.
      retryStrategy: (times) => Math.min(50 * times, 1000),
      ...(subscriber
        ? { autoResubscribe: false }
        : // While disconnected a command must not queue behind the reconnection: it fails at once.
          { commandTimeout: options.commandTimeoutMs, enableOfflineQueue: false }),
    });
    // Without a listener ioredis prints every connection error; the owners report changes of state instead. The
    // socket's error says why a connection failed ("connect ECONNREFUSED …"), where a command only sees it closed.
    this.client.on('error', (error: Error) => (this.#lastError = error));
  }

  /** Connects (and PINGs when asked); rejects with RedisUnreachableError naming the redacted URL and the reason. */
  async connect(ping: boolean): Promise<void> {
    try {
      await this.client.connect();
      if (ping) await this.client.ping();
    } catch (error) {
      this.client.disconnect();
      const why = (this.#lastError ?? (error as Error)).message;
      throw new RedisUnreachableError(`cannot reach Redis at ${this.displayUrl} (${why})`);
    }
  }

  /** Quits politely when connected, else just drops the socket and stops reconnecting. */
  async close(): Promise<void> {
    const client = this.client;
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
    else client.disconnect();
  }
}
