/**
 * An evaluation thread: parses, validates and evaluates large `POST /v1/evaluate` bodies away from the HTTP thread,
 * so that a body which keeps the gates busy for their whole budget never holds up other requests. The detectors
 * warm up while the engine is built, before the thread reports ready.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine, defaultGates } from '@pecta/core';
import { ApiError } from '../errors.js';
import { evaluateRawBody } from './evaluate-body.js';
import type { EvaluationThreadConfig, FromEvaluator, ToEvaluator } from './protocol.js';

const config = workerData as EvaluationThreadConfig;
const port = parentPort!;
const engine = createEngine({ gates: defaultGates(), timeout: config.timeoutMs });

function send(message: FromEvaluator): void {
  port.postMessage(message);
}

let inFlight = 0;
let closing = false;

function settled(): void {
  inFlight--;
  if (closing && inFlight === 0) port.close();
}

port.on('message', (message: ToEvaluator) => {
  if (message.type === 'close') {
    // Every body already sent is answered before the port closes.
    closing = true;
    if (inFlight === 0) port.close();
    return;
  }
  const { id, body } = message;
  const raw = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  inFlight++;
  evaluateRawBody(engine, raw, config.maxJsonDepth)
    .then(
      (evaluated) => send({ type: 'done', id, evaluated }),
      (error: unknown) =>
        send(error instanceof ApiError ? { type: 'refused', id, code: error.code, message: error.message } : { type: 'failed', id }),
    )
    .finally(settled);
});

send({ type: 'ready' });
