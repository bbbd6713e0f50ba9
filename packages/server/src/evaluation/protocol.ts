/** Messages between the HTTP thread and an evaluation thread (evaluation-worker.ts). */
import type { ErrorCode } from '../errors.js';
import type { Evaluated } from './evaluate-body.js';

export interface EvaluationThreadConfig {
  timeoutMs: number;
  maxJsonDepth: number;
}

export type ToEvaluator = { type: 'evaluate'; id: number; body: Uint8Array } | { type: 'close' };

export type FromEvaluator =
  | { type: 'ready' }
  | { type: 'done'; id: number; evaluated: Evaluated }
  | { type: 'refused'; id: number; code: ErrorCode; message: string }
  | { type: 'failed'; id: number };
