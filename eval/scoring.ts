/** Confusion counts and precision/recall/F1, shared by every detector evaluation. */
import { fileURLToPath } from 'node:url';

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface Scores extends Confusion {
  precision: number;
  recall: number;
  f1: number;
}

export function score(c: Confusion): Scores {
  const precision = c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { ...c, precision, recall, f1 };
}

export function tally(c: Confusion, actual: boolean, predicted: boolean): void {
  if (actual && predicted) c.tp++;
  else if (actual) c.fn++;
  else if (predicted) c.fp++;
  else c.tn++;
}

export const emptyConfusion = (): Confusion => ({ tp: 0, fp: 0, fn: 0, tn: 0 });

/** The labelled data sits in ../shared/eval/ beside the checkout; PECTA_EVAL_DIR moves it. */
export function defaultEvalDir(): string {
  return process.env.PECTA_EVAL_DIR ?? fileURLToPath(new URL('../../shared/eval/', import.meta.url));
}
