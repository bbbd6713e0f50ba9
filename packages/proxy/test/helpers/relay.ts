/** Drives a Relay directly: every byte it writes either way is recorded, so are its decisions. */
import { createEngine, defaultGates, type Gate } from '@pecta/core';
import { Relay, type Decision, type RelayOptions } from '../../src/relay.js';

export const EMAIL_TEXT = 'Contact jane.doe@example.org for access';

export function line(message: unknown, terminator = '\n'): Buffer {
  return Buffer.from(JSON.stringify(message) + terminator, 'utf8');
}
export const call = (id: string | number, name = 'read_file', args: unknown = { path: '/tmp/x' }) =>
  line({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
export const textResult = (id: string | number, text: string, extra: Record<string, unknown> = {}) =>
  line({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text }], ...extra } });

export interface Harness {
  relay: Relay;
  toClient: Buffer[];
  toServer: Buffer[];
  decisions: Decision[];
  clock: { now: number };
  clientText(): string;
  clientMessages(): any[];
}

export function harness(options: Partial<RelayOptions> & { gates?: Gate[] } = {}): Harness {
  const toClient: Buffer[] = [];
  const toServer: Buffer[] = [];
  const decisions: Decision[] = [];
  const clock = { now: 1000 };
  const { gates, ...rest } = options;
  const relay = new Relay({
    engine: createEngine({ gates: gates ?? defaultGates() }),
    toClient: (b) => toClient.push(Buffer.from(b)),
    toServer: (b) => toServer.push(Buffer.from(b)),
    onDecision: (d) => decisions.push(d),
    now: () => clock.now,
    ...rest,
  });
  return {
    relay,
    toClient,
    toServer,
    decisions,
    clock,
    clientText: () => Buffer.concat(toClient).toString('utf8'),
    clientMessages: () =>
      Buffer.concat(toClient)
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l)),
  };
}

/** A gate that fails outputs mentioning BAD, after `delayMs` (0: synchronously). */
export function marker(delayMs = 0, name = 'marker'): Gate {
  return {
    name,
    run(ctx) {
      const passed = !JSON.stringify(ctx.output).includes('BAD');
      const outcome = passed ? { passed } : { passed, reason: 'marker found', details: { secret: 'BAD detail' } };
      return delayMs === 0 ? outcome : new Promise((resolve) => setTimeout(() => resolve(outcome), delayMs));
    },
  };
}

