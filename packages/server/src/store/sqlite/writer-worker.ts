/**
 * The writer thread of a SqliteStore on a file. It owns the only write connection, so fsyncs, inserts and WAL
 * checkpoints never block the event loop that serves HTTP.
 *
 * Group commit happens here: before each unit of work the thread drains every message already waiting on its port,
 * so the requests that arrived while the previous commit (and its fsync) ran share the next transaction. Results are
 * posted as soon as their transaction committed.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { openConnection, readSettings } from './connection.js';
import type { Database } from './driver.js';
import { toWireError, type FromWriter, type ToWriter, type WireSettled, type WriterThreadConfig } from './protocol.js';
import { SqliteWriter, type Settled, type WriteRequest } from './writer.js';

const port = parentPort;
if (port === null) throw new Error('writer-worker.ts runs as a worker thread (see writer-client.ts)');

function post(message: FromWriter): void {
  port!.postMessage(message);
}

function toWire(settled: Settled): WireSettled {
  return settled.ok ? settled : { id: settled.id, ok: false, error: toWireError(settled.error) };
}

function start(config: WriterThreadConfig): { db: Database; writer: SqliteWriter } | null {
  let db: Database | null = null;
  try {
    db = openConnection(config.path, { busyTimeoutMs: config.busyTimeoutMs, cacheMiB: config.cacheMiB });
    const writer = new SqliteWriter(db, {
      maxGroupEvents: config.maxGroupEvents,
      walAutocheckpointPages: config.walAutocheckpointPages,
      maxCachedAgents: config.maxCachedAgents,
    });
    writer.migrate();
    post({ type: 'ready', settings: readSettings(db) });
    return { db, writer };
  } catch (error) {
    try {
      db?.close();
    } catch {
      // The failure being reported is the one that matters.
    }
    post({ type: 'failed', error: toWireError(error) });
    port!.close();
    return null;
  }
}

function serve(db: Database, writer: SqliteWriter): void {
  const queue: WriteRequest[] = [];
  let closeRequested = false;
  let scheduled = false;

  const accept = (message: ToWriter) => {
    if (message.type === 'close') closeRequested = true;
    else for (const request of message.requests) queue.push(request);
  };
  const drain = () => {
    for (let next = receiveMessageOnPort(port!); next !== undefined; next = receiveMessageOnPort(port!)) {
      accept(next.message as ToWriter);
    }
  };

  const pump = () => {
    scheduled = false;
    drain();
    while (queue.length > 0) {
      const settled = writer.executeNext(queue);
      post({ type: 'settled', settled: settled.map(toWire), stats: { ...writer.stats } });
      drain();
    }
    if (closeRequested) finish();
  };

  const finish = () => {
    let error = null;
    try {
      db.close();
    } catch (e) {
      error = toWireError(e);
    }
    post({ type: 'closed', error });
    port!.close();
  };

  // Requests that cannot be read here cannot be answered either: dying makes the store reject them (and every later
  // write) instead of leaving them pending for ever.
  port!.on('messageerror', (error) => {
    throw error;
  });
  port!.on('message', (message: ToWriter) => {
    accept(message);
    // Deferred to the check phase, so that every message delivered in this loop iteration joins the same round.
    if (!scheduled) {
      scheduled = true;
      setImmediate(pump);
    }
  });
}

const started = start(workerData as WriterThreadConfig);
if (started) serve(started.db, started.writer);
