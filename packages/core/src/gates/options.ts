/** Construction-time validation shared by the gate factories: bad options throw before any evaluation runs. */
import { MAX_ID_LENGTH } from '../wire/index.js';

/** A gate's name is an identifier on the wire. */
export const MAX_GATE_NAME_LENGTH = MAX_ID_LENGTH;

export function gateName(options: { name?: unknown } | undefined, fallback: string): string {
  const name = options?.name;
  if (name === undefined) return fallback;
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > MAX_GATE_NAME_LENGTH) {
    throw new TypeError(`gate name must be a non-empty string of at most ${MAX_GATE_NAME_LENGTH} characters`);
  }
  return name;
}

export function assertOptionsObject(options: unknown, gate: string): void {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new TypeError(`${gate}: options must be an object`);
  }
}

/** Throws unless `flag` is undefined or a boolean; returns the flag with `fallback` applied. */
export function booleanOption(value: unknown, fallback: boolean, label: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${label} must be a boolean`);
  return value;
}
