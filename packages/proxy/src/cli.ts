/**
 * `pecta-proxy [options] <server command> [args...]` (docs/proxy.md).
 * Exit codes: the MCP server's own (128 + signal number when a signal ended it); 2 usage or configuration error;
 * 127 the server command was not found; 1 any other failure to start.
 */
import { readFileSync } from 'node:fs';
import { createEngine, defaultGates, type Engine, type Gate } from '@pecta/core';
import { isApiKey, keyTypeOf } from '@pecta/core/wire';
import { parseArgs, UsageError, type CliArgs } from './args.js';
import { DEFAULT_MAX_LINE_BYTES } from './framing.js';
import {
  agentIdValue,
  ConfigError,
  endpointValue,
  loadConfigFile,
  maxLineBytesValue,
  timeoutValue,
  type FileConfig,
} from './config.js';
import type { GateSwitches } from './gated.js';
import { DecisionLog, logsDir } from './log.js';
import { runProxy, type ProxyIO } from './proxy.js';
import { pectaTelemetry, type TelemetryFactory, type TelemetrySink } from './telemetry.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
export const DEFAULT_ENDPOINT = 'http://localhost:8787';
export const DEFAULT_TIMEOUT_MS = 50;


export const USAGE = `pecta-proxy ${VERSION} — gates what a stdio MCP server sends into the model

Usage:
  pecta-proxy [options] [--] <server command> [args...]

Example:
  pecta-proxy --verbose npx -y @modelcontextprotocol/server-filesystem ~/Documents

Options:
  --key KEY          pk_live_ key: also ship results to the Pecta API   (env PECTA_API_KEY)
  --secret-key KEY   sk_live_ key: sign those batches with HMAC         (env PECTA_SECRET_KEY)
  --endpoint URL     Pecta API base URL (default ${DEFAULT_ENDPOINT})  (env PECTA_ENDPOINT)
  --agent-id ID      agent id of the events (default: the server's serverInfo.name)
  --config FILE      JSON file choosing the gates and options (see docs/proxy.md)
  --timeout MS       time budget of one evaluation (default ${DEFAULT_TIMEOUT_MS})
  --dry-run          evaluate and log, never block
  --no-gate-resources   do not gate resources/read results
  --no-gate-prompts     do not gate prompts/get results
  --no-gate-sampling    do not gate the server's sampling/createMessage requests
  --max-line-bytes N    longest message line from either side (default ${DEFAULT_MAX_LINE_BYTES});
                        a longer one ends the session
  --verbose          one line per evaluation on stderr
  --no-log           do not write the local decision log
  -h, --help         this text
  --version          the version

Without --key nothing leaves the machine: decisions are appended to
~/.pecta/logs/YYYY-MM-DD.jsonl ($PECTA_HOME/logs when PECTA_HOME is set).`;

export interface Settings {
  command: string;
  args: string[];
  gates: Gate[];
  timeout: number;
  failFast: boolean;
  agentId?: string;
  dryRun: boolean;
  verbose: boolean;
  log: boolean;
  gate: GateSwitches;
  maxLineBytes: number;
  key?: string;
  secretKey?: string;
  endpoint: string;
}

export interface MainDeps {
  env?: NodeJS.ProcessEnv;
  io?: ProxyIO;
  telemetry?: TelemetryFactory;
}

export async function main(argv: string[], deps: MainDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const stderr = deps.io?.stderr ?? process.stderr;
  const stdout = deps.io?.stdout ?? process.stdout;
  const fail = (message: string, code: number): number => {
    stderr.write(`pecta-proxy: ${message}\n${code === 2 ? 'Run "pecta-proxy --help" for usage.\n' : ''}`);
    return code;
  };

  let settings: Settings;
  try {
    const args = parseArgs(argv);
    if (args.help) {
      stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (args.version) {
      stdout.write(`${VERSION}\n`);
      return 0;
    }
    settings = resolveSettings(args, env);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) return fail(error.message, 2);
    throw error;
  }

  let engine: Engine;
  try {
    engine = createEngine({ gates: settings.gates, timeout: settings.timeout, failFast: settings.failFast });
  } catch (error) {
    return fail(`invalid gate configuration: ${(error as Error).message}`, 2);
  }

  let telemetry: TelemetrySink | null = null;
  if (settings.key !== undefined) {
    try {
      const options: Parameters<TelemetryFactory>[0] = {
        apiKey: settings.key,
        endpoint: settings.endpoint,
        onError: (message) => stderr.write(`pecta-proxy: ${message}\n`),
      };
      if (settings.secretKey !== undefined) options.secretKey = settings.secretKey;
      telemetry = await (deps.telemetry ?? pectaTelemetry)(options);
    } catch (error) {
      return fail((error as Error).message, 1);
    }
  }

  const log = settings.log ? new DecisionLog(logsDir(env), (message) => stderr.write(`${message}\n`)) : null;
  return runProxy({
    command: settings.command,
    args: settings.args,
    engine,
    agentId: settings.agentId,
    dryRun: settings.dryRun,
    verbose: settings.verbose,
    gate: settings.gate,
    maxLineBytes: settings.maxLineBytes,
    log,
    telemetry,
    io: deps.io,
  });
}

/** Flags beat environment variables, which beat the config file, which beats the defaults. */
export function resolveSettings(args: CliArgs, env: NodeJS.ProcessEnv): Settings {
  if (args.command === undefined) throw new UsageError('missing the MCP server command to run');
  const file: FileConfig = args.config !== undefined ? loadConfigFile(args.config) : {};
  const settings: Settings = {
    command: args.command,
    args: args.args,
    gates: file.gates ?? defaultGates(),
    timeout: args.timeout !== undefined ? timeoutFlag(args.timeout) : (file.timeout ?? DEFAULT_TIMEOUT_MS),
    failFast: file.failFast ?? true,
    dryRun: args.dryRun || (file.dryRun ?? false),
    verbose: args.verbose || (file.verbose ?? false),
    log: !args.noLog && (file.log ?? true),
    gate: {
      resources: !args.noGateResources && (file.gateResources ?? true),
      prompts: !args.noGatePrompts && (file.gatePrompts ?? true),
      sampling: !args.noGateSampling && (file.gateSampling ?? true),
    },
    maxLineBytes: file.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    endpoint: DEFAULT_ENDPOINT,
  };
  if (args.maxLineBytes !== undefined) {
    const raw = args.maxLineBytes;
    settings.maxLineBytes = flagValue(() => maxLineBytesValue(/^\d+$/.test(raw) ? Number(raw) : NaN, '--max-line-bytes'));
  }
  const agentId = args.agentId ?? file.agentId;
  if (agentId !== undefined) settings.agentId = flagValue(() => agentIdValue(agentId, '--agent-id'));
  const endpoint = args.endpoint ?? nonEmpty(env.PECTA_ENDPOINT) ?? file.endpoint;
  if (endpoint !== undefined) settings.endpoint = flagValue(() => endpointValue(endpoint, args.endpoint !== undefined ? '--endpoint' : 'PECTA_ENDPOINT'));
  const key = args.key ?? nonEmpty(env.PECTA_API_KEY);
  const secretKey = args.secretKey ?? nonEmpty(env.PECTA_SECRET_KEY);
  if (key !== undefined) {
    if (!isApiKey(key)) throw new UsageError('--key must be a pk_live_ key (or an sk_live_ key): the prefix followed by 32 letters and digits');
    settings.key = key;
  }
  if (secretKey !== undefined) {
    if (keyTypeOf(secretKey) !== 'secret') throw new UsageError('--secret-key must be an sk_live_ key (sk_live_ followed by 32 letters and digits)');
    if (key === undefined) throw new UsageError('--secret-key signs what --key ships: give --key too');
    settings.secretKey = secretKey;
  }
  return settings;
}

function timeoutFlag(raw: string): number {
  return flagValue(() => timeoutValue(/^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN, '--timeout'));
}

/** Validation errors of command-line values are usage errors, whatever helper raised them. */
function flagValue<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Runs `main` as the process: sets the exit code, and makes sure the process does end. */
export function run(argv: string[]): void {
  const exit = (code: number): void => {
    process.exitCode = code;
    // Everything is flushed by now; a handle some library left open must not keep an MCP client waiting for us.
    setTimeout(() => process.exit(code), 500).unref();
  };
  main(argv).then(exit, (error: unknown) => {
    process.stderr.write(`pecta-proxy: ${error instanceof Error ? error.message : String(error)}\n`);
    exit(1);
  });
}
