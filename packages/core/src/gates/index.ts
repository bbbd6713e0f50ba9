import { commands } from './commands/index.js';
import { content } from './content.js';
import { filesystem } from './filesystem/index.js';
import { injection } from './injection.js';
import { latency } from './latency.js';
import { pii } from './pii.js';
import { rtb } from './rtb/index.js';
import { schema } from './schema.js';
import type { Gate } from '../types.js';

/** The built-in gate factories, as documented in docs/sdk.md, Built-in gates: `gates.pii()`, `gates.rtb.bidSanity()`, … */
export const gates = Object.freeze({ latency, schema, filesystem, pii, content, commands, injection, rtb });

/**
 * The default suite used by `POST /v1/evaluate` and by the proxy: filesystem, pii, content, as the product's contract
 * states it. `commands` and `injection` are opt-in (docs/sdk.md gives the reasons and the false-alarm numbers).
 */
export function defaultGates(): Gate[] {
  return [filesystem(), pii(), content()];
}

export { commands, content, filesystem, injection, latency, pii, rtb, schema };
export { evaluateArgv, evaluateCommand } from './commands/index.js';
export { walkStrings, collectStrings, type WalkOptions } from './walk.js';
