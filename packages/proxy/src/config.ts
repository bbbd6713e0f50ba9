/**
 * The `--config` file: JSON that chooses the gates and the proxy's options. Validated as a whole at start-up; the
 * first problem stops the proxy with a message that names the field, before the MCP server is spawned. The rules are
 * zod schemas, one per value; the flags and environment variables are checked with the same ones (cli.ts).
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
import { z } from 'zod';

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

const ON_BY_DEFAULT = ['filesystem', 'pii', 'content'] as const;
const GATE_NAMES = [...ON_BY_DEFAULT, 'latency'] as const;

// Each value's rule and the words that explain it: the message is the same whether the value came from the file or
// from a flag, only the label differs.
const Timeout = z.number().positive().max(MAX_TIMEOUT_MS);
const TIMEOUT_RULE = `must be a number of milliseconds above 0 and at most ${MAX_TIMEOUT_MS}`;
const MaxLineBytes = z.number().int().min(MIN_MAX_LINE_BYTES).max(MAX_MAX_LINE_BYTES);
const MAX_LINE_BYTES_RULE = `must be a whole number of bytes from ${MIN_MAX_LINE_BYTES} to ${MAX_MAX_LINE_BYTES}`;
const AgentId = z.string().max(MAX_AGENT_ID_LENGTH).refine((value) => value.trim() !== '');
const AGENT_ID_RULE = `must be a non-empty string of at most ${MAX_AGENT_ID_LENGTH} characters`;
const Endpoint = z.url({ protocol: /^https?$/ }).transform((value) => value.replace(/\/+$/, ''));
const ENDPOINT_RULE = 'must be an http:// or https:// URL, such as http://localhost:8787';
const Switch = z.boolean();
const SWITCH_RULE = 'must be true or false';
const Options = z.record(z.string(), z.unknown());
const GateSwitch = z.union([z.boolean(), Options]);

const FileSchema = z.strictObject({
  $schema: z.string().optional(),
  gates: z.unknown().optional(),
  timeout: z.unknown().optional(),
  failFast: z.unknown().optional(),
  agentId: z.unknown().optional(),
  dryRun: z.unknown().optional(),
  verbose: z.unknown().optional(),
  log: z.unknown().optional(),
  endpoint: z.unknown().optional(),
  gateResources: z.unknown().optional(),
  gatePrompts: z.unknown().optional(),
  gateSampling: z.unknown().optional(),
  maxLineBytes: z.unknown().optional(),
});
const FIELDS = Object.keys(FileSchema.shape).filter((key) => key !== '$schema');
const SWITCHES = ['failFast', 'dryRun', 'verbose', 'log', 'gateResources', 'gatePrompts', 'gateSampling'] as const;

/** The value as the schema reads it, or a ConfigError that names `label` and states the rule. */
function checked<T>(schema: z.ZodType<T>, value: unknown, label: string, rule: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(`${label} ${rule}`);
  return result.data;
}

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
  if (!Options.safeParse(raw).success) throw new ConfigError('the top level must be a JSON object');
  const parsed = FileSchema.safeParse(raw);
  if (!parsed.success) {
    const unknown = parsed.error.issues.find((issue) => issue.code === 'unrecognized_keys');
    const key = unknown?.code === 'unrecognized_keys' ? unknown.keys[0] : undefined;
    throw new ConfigError(key !== undefined ? `unknown field "${key}" (known fields: ${FIELDS.join(', ')})` : 'the top level must be a JSON object');
  }
  const file = parsed.data;
  const config: FileConfig = {};
  if (file.gates !== undefined) config.gates = buildGates(file.gates);
  if (file.timeout !== undefined) config.timeout = timeoutValue(file.timeout, '"timeout"');
  for (const key of SWITCHES) {
    if (file[key] !== undefined) config[key] = checked(Switch, file[key], `"${key}"`, SWITCH_RULE);
  }
  if (file.agentId !== undefined) config.agentId = agentIdValue(file.agentId, '"agentId"');
  if (file.endpoint !== undefined) config.endpoint = endpointValue(file.endpoint, '"endpoint"');
  if (file.maxLineBytes !== undefined) config.maxLineBytes = maxLineBytesValue(file.maxLineBytes, '"maxLineBytes"');
  return config;
}

function buildGates(raw: unknown): Gate[] {
  const gates = checked(Options, raw, '"gates"', 'must be an object such as { "pii": { "phone": false } }');
  for (const key of Object.keys(gates)) {
    if (!(GATE_NAMES as readonly string[]).includes(key)) {
      throw new ConfigError(`unknown gate "gates.${key}" (built-in gates: ${GATE_NAMES.join(', ')})`);
    }
  }
  const suite: Gate[] = [];
  for (const name of ON_BY_DEFAULT) {
    const value = gates[name] === undefined ? true : checked(GateSwitch, gates[name], `"gates.${name}"`, 'must be true, false or an options object');
    if (value === false) continue;
    suite.push(construct(name, () => builtin[name](value === true ? undefined : value)));
  }
  if (gates.latency !== undefined && gates.latency !== false) {
    const latency = checked(Options, gates.latency, '"gates.latency"', 'must be false or an object such as { "maxMs": 5000 }');
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
  return checked(Timeout, value, label, TIMEOUT_RULE);
}

export function maxLineBytesValue(value: unknown, label: string): number {
  return checked(MaxLineBytes, value, label, MAX_LINE_BYTES_RULE);
}

export function agentIdValue(value: unknown, label: string): string {
  return checked(AgentId, value, label, AGENT_ID_RULE);
}

export function endpointValue(value: unknown, label: string): string {
  return checked(Endpoint, value, label, ENDPOINT_RULE);
}
