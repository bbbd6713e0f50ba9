import type { Engine } from '@pecta/core';
import type { AuthCache } from '../auth/auth-cache.js';
import type { SecretBox } from '../auth/crypto.js';
import type { ServerConfig } from '../config.js';
import type { EvaluationThreads } from '../evaluation/evaluation-threads.js';
import type { Store } from '../store/types.js';

/** What route plugins need; built once in app.ts. */
export interface RouteDeps {
  store: Store;
  engine: Engine;
  /** Where large evaluate bodies are parsed and evaluated. */
  evaluations: EvaluationThreads;
  box: SecretBox;
  /** Told after a route changed an organisation's keys, limits or settings. */
  auth: AuthCache;
  config: ServerConfig;
  version: string;
  now: () => number;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
