/**
 * The `--config` file: JSON that chooses the gates and the proxy's options. Validated as a whole at start-up; the
 * first problem stops the proxy with a message that names the field, before the MCP server is spawned.
 *
 * ```json
 * { "gates": { "filesystem": {}, "pii": { "phone": false }, "content": false, "latency": { "maxMs": 5000 } },
 *   "timeout": 50, "failFast": true, "agentId": "files", "dryRun": false,
 *   "gateResources": true, "gatePrompts": true, "gateSampling": true, "maxLineBytes": 16777216 }
 * ```
 *
 * `gates` lists the built-in gates: `filesystem`, `pii` and `content` are on unless set to `false` (`true` or an
 * options object switches them on), `latency` is off unless given `{ "maxMs": … }`. Without `gates` the default
 * suite runs (filesystem, pii, content).
 */
import { readFileSync } from 'node:fs';
import { gates as builtin, type Gate } from '@pecta/core';
import { MAX_ID_LENGTH } from '@pecta/core/wire';

export class ConfigError extends Error {}

export interface FileConfig {
  gates?: Gate[];
  timeout?: number;
  failFast?: boolean;
  agentId?: string;
  dryRun?: boolean;
  verbose?: boolean;
  log?: boolean;
  endpoint?: string;
  gateResources?: boolean;
  gatePrompts?: boolean;
  gateSampling?: boolean;
  maxLineBytes?: number;
}

/** The engine budget is per evaluation; more than 10 s would hold every later message of the server that long. */
export const MAX_TIMEOUT_MS = 10_000;
export const MAX_AGENT_ID_LENGTH = MAX_ID_LENGTH;
/** Below this not even an ordinary tools/list fits; above it a line no longer fits in one JS string. */
export const MIN_MAX_LINE_BYTES = 1024;
export const MAX_MAX_LINE_BYTES = 256 * 1024 * 1024;

const FIELDS = [
  'gates',
  'timeout',
  'failFast',
  'agentId',
  'dryRun',
  'verbose',
  'log',
  'endpoint',
  'gateResources',
  'gatePrompts',
  'gateSampling',
  'maxLineBytes',
] as const;
const ON_BY_DEFAULT = ['filesystem', 'pii', 'content'] as const;
const GATE_NAMES = [...ON_BY_DEFAULT, 'latency'] as const;

export function loadConfigFile(path: string): FileConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read config file ${path}${code ? ` (${code})` : ''}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`config file ${path}: ${error.message}`);
    throw error;
  }
}

export function parseConfig(raw: unknown): FileConfig {
  if (!isPlainObject(raw)) throw new ConfigError('the top level must be a JSON object');
  for (const key of Object.keys(raw)) {
    if (key === '$schema') continue;
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw new ConfigError(`unknown field "${key}" (known fields: ${FIELDS.join(', ')})`);
    }
  }
  const config: FileConfig = {};
  if (raw.gates !== undefined) config.gates = buildGates(raw.gates);
  if (raw.timeout !== undefined) config.timeout = timeoutValue(raw.timeout, '"timeout"');
  for (const key of ['failFast', 'dryRun', 'verbose', 'log', 'gateResources', 'gatePrompts', 'gateSampling'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new ConfigError(`"${key}" must be true or false`);
    config[key] = value;
  }
  if (raw.agentId !== undefined) config.agentId = agentIdValue(raw.agentId, '"agentId"');
  if (raw.endpoint !== undefined) config.endpoint = endpointValue(raw.endpoint, '"endpoint"');
  if (raw.maxLineBytes !== undefined) config.maxLineBytes = maxLineBytesValue(raw.maxLineBytes, '"maxLineBytes"');
  return config;
}

function buildGates(raw: unknown): Gate[] {
  if (!isPlainObject(raw)) throw new ConfigError('"gates" must be an object such as { "pii": { "phone": false } }');
  for (const key of Object.keys(raw)) {
    if (!(GATE_NAMES as readonly string[]).includes(key)) {
      throw new ConfigError(`unknown gate "gates.${key}" (built-in gates: ${GATE_NAMES.join(', ')})`);
    }
  }
  const suite: Gate[] = [];
  for (const name of ON_BY_DEFAULT) {
    const value = raw[name];
    if (value === false) continue;
    if (value !== undefined && value !== true && !isPlainObject(value)) {
      throw new ConfigError(`"gates.${name}" must be true, false or an options object`);
    }
    suite.push(construct(name, () => builtin[name](isPlainObject(value) ? value : undefined)));
  }
  const latency = raw.latency;
  if (latency !== undefined && latency !== false) {
    if (!isPlainObject(latency)) throw new ConfigError('"gates.latency" must be false or an object such as { "maxMs": 5000 }');
    suite.push(construct('latency', () => builtin.latency(latency as { maxMs: number })));
  }
  if (suite.length === 0) throw new ConfigError('"gates" switches every gate off: at least one must stay on');
  return suite;
}

/** Gate factories validate their own options; their message is kept and prefixed with the config path. */
function construct(name: string, make: () => Gate): Gate {
  try {
    return make();
  } catch (error) {
    const message = (error as Error).message.replace(new RegExp(`^${name}:\\s*`), '');
    throw new ConfigError(`"gates.${name}": ${message}`);
  }
}

export function timeoutValue(value: unknown, label: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_MS) {
    throw new ConfigError(`${label} must be a number of milliseconds above 0 and at most ${MAX_TIMEOUT_MS}`);
  }
  return value;
}

export function maxLineBytesValue(value: unknown, label: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_MAX_LINE_BYTES || value > MAX_MAX_LINE_BYTES) {
    throw new ConfigError(`${label} must be a whole number of bytes from ${MIN_MAX_LINE_BYTES} to ${MAX_MAX_LINE_BYTES}`);
  }
  return value;
}

export function agentIdValue(value: unknown, label: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_AGENT_ID_LENGTH) {
    throw new ConfigError(`${label} must be a non-empty string of at most ${MAX_AGENT_ID_LENGTH} characters`);
  }
  return value;
}

export function endpointValue(value: unknown, label: string): string {
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
    } catch {
      // fall through to the message below
    }
  }
  throw new ConfigError(`${label} must be an http:// or https:// URL, such as http://localhost:8787`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
