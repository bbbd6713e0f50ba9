/**
 * The reader thread of a SqliteStore on a file: runs the reads that can take milliseconds (event pages deep into
 * history, long agent lists) on its own read-only connection, so that they never hold up the event loop that serves
 * every other request. Each message is one statement; rows go back as arrays of column values.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openConnection, rowReader } from './connection.js';
import type { SqlValue } from './driver.js';
import { toWireError, type FromReader, type ReaderThreadConfig, type ToReader } from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('reader-worker.ts runs as a worker thread (see reader-client.ts)');

const config = workerData as ReaderThreadConfig;
const db = openConnection(config.path, { busyTimeoutMs: config.busyTimeoutMs, cacheMiB: config.cacheMiB });
db.pragma('query_only = ON');
const readRows = rowReader(db);

port.on('message', (message: ToReader) => {
  if (message.type === 'close') {
    db.close();
    port.close();
    return;
  }
  let reply: FromReader;
  try {
    reply = { id: message.id, ok: true, rows: readRows(message.sql, message.params as SqlValue[]) };
  } catch (error) {
    reply = { id: message.id, ok: false, error: toWireError(error) };
  }
  port.postMessage(reply);
});
port.postMessage({ type: 'ready' } satisfies FromReader);
