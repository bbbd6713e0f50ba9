import { content } from './content.js';
import { filesystem } from './filesystem.js';
import { injection } from './injection.js';
import { latency } from './latency.js';
import { pii } from './pii.js';
import { rtb } from './rtb/index.js';
import { schema } from './schema.js';
import type { Gate } from '../types.js';

/** The built-in gate factories, as documented in SPEC §2.1: `gates.pii()`, `gates.rtb.bidSanity()`, … */
export const gates = Object.freeze({ latency, schema, filesystem, pii, content, injection, rtb });

/**
 * The default suite used by `POST /v1/evaluate` and by the proxy: filesystem, pii, content. `injection` is opt-in
 * (docs/sdk.md gives the false-alarm numbers behind that choice).
 */
export function defaultGates(): Gate[] {
  return [filesystem(), pii(), content()];
}

export { content, filesystem, injection, latency, pii, rtb, schema };
export { walkStrings, collectStrings, type WalkOptions } from './walk.js';
