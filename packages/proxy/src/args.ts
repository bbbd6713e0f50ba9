/**
 * Command line: `pecta-proxy [options] [--] <server command> [args...]`. Options are read up to the first word that
 * is not one of ours; that word and everything after it is the server's command line, passed on untouched (its own
 * `--flags` included). `--` ends our options explicitly, for a server command that itself starts with `-`.
 */
export class UsageError extends Error {}

export interface CliArgs {
  command?: string;
  args: string[];
  key?: string;
  secretKey?: string;
  endpoint?: string;
  agentId?: string;
  config?: string;
  timeout?: string;
  maxLineBytes?: string;
  dryRun: boolean;
  verbose: boolean;
  noLog: boolean;
  noGateResources: boolean;
  noGatePrompts: boolean;
  noGateSampling: boolean;
  help: boolean;
  version: boolean;
}

const VALUE_OPTIONS = {
  '--key': 'key',
  '--secret-key': 'secretKey',
  '--endpoint': 'endpoint',
  '--agent-id': 'agentId',
  '--config': 'config',
  '--timeout': 'timeout',
  '--max-line-bytes': 'maxLineBytes',
} as const;

const FLAG_OPTIONS = {
  '--dry-run': 'dryRun',
  '--verbose': 'verbose',
  '--no-log': 'noLog',
  '--no-gate-resources': 'noGateResources',
  '--no-gate-prompts': 'noGatePrompts',
  '--no-gate-sampling': 'noGateSampling',
  '--help': 'help',
  '-h': 'help',
  '--version': 'version',
} as const;

export function parseArgs(argv: readonly string[]): CliArgs {
  const parsed: CliArgs = {
    args: [],
    dryRun: false,
    verbose: false,
    noLog: false,
    noGateResources: false,
    noGatePrompts: false,
    noGateSampling: false,
    help: false,
    version: false,
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (name in VALUE_OPTIONS) {
      const field = VALUE_OPTIONS[name as keyof typeof VALUE_OPTIONS];
      let value: string | undefined;
      if (eq !== -1) value = arg.slice(eq + 1);
      else value = argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      if (parsed[field] !== undefined) throw new UsageError(`${name} given twice`);
      parsed[field] = value;
    } else if (name in FLAG_OPTIONS) {
      if (eq !== -1) throw new UsageError(`${name} takes no value`);
      parsed[FLAG_OPTIONS[name as keyof typeof FLAG_OPTIONS]] = true;
    } else {
      throw new UsageError(
        `unknown option ${name}: pecta-proxy options go before the server command (use -- before a command that starts with "-")`,
      );
    }
  }
  if (i < argv.length) {
    parsed.command = argv[i]!;
    parsed.args = argv.slice(i + 1);
  }
  return parsed;
}
