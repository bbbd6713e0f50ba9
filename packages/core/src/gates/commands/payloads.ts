/**
 * Programs that a command runs which are not its own words: what `bash -c '…'`, `sh <<EOF`, `echo … | sh`,
 * `eval`, `su -c`, `ssh host '…'`, `watch '…'`, `cmd /c`, `powershell -Command`, `find -exec …` and the database
 * clients' `-c`/`-e` options (or their stdin) hand on. Each is read again as a command line (or as SQL); an
 * interpreter's inline program (`python -c`) is returned as code for inline-code.ts.
 * `cat <<EOF`, `grep … <<<'…'` and `echo '…'` are data: only a command that executes its stdin or an argument
 * gets a payload.
 */
import { findStartPaths } from './files.js';
import { firstOperand, operands, resolveInvocation, type Invocation } from './invocation.js';
import { INLINE_PROGRAM_OPTIONS, isShell } from './remote-code.js';
import type { Word } from './tokenize.js';

export type Payload =
  | { kind: 'script'; text: string; sql: boolean }
  | { kind: 'words'; words: Word[] }
  | { kind: 'code'; text: string };

const SSH_VALUED = new Set(['-b', '-c', '-D', '-E', '-e', '-F', '-I', '-i', '-J', '-L', '-l', '-m', '-O', '-o', '-p', '-Q', '-R', '-S', '-W', '-w', '-B']);

/** Database client → its options that carry SQL (or a database script) as the next word or after `=`. */
const SQL_CLIENTS: ReadonlyMap<string, readonly string[]> = new Map([
  ['psql', ['-c', '--command']],
  ['mysql', ['-e', '--execute']],
  ['mariadb', ['-e', '--execute']],
  ['clickhouse-client', ['-q', '--query']],
  ['clickhouse', ['-q', '--query']],
  ['cockroach', ['-e', '--execute']],
  ['mongosh', ['--eval']],
  ['mongo', ['--eval']],
  ['sqlite3', []],
  ['duckdb', ['-c']],
]);

const ECHOES = new Set(['echo', 'printf']);

/** Programs that can hand on a program of their own. */
export const PAYLOAD_PROGRAMS: readonly string[] = [
  ...INLINE_PROGRAM_OPTIONS.keys(), ...SQL_CLIENTS.keys(), 'eval', 'watch', 'su', 'cmd', 'cmd.exe', 'ssh', 'find',
];

function joined(words: readonly Word[]): string {
  return words.map((w) => w.text).join(' ');
}

/** The value of option `names` (next word, or after `=`), for each occurrence. */
function optionValues(args: readonly Word[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const text = args[k]!.text;
    for (const name of names) {
      if (text === name && k + 1 < args.length) out.push(args[k + 1]!.text);
      else if (name.startsWith('--') && text.startsWith(`${name}=`)) out.push(text.slice(name.length + 1));
    }
  }
  return out;
}

/** Index of the word after a short option cluster holding one of `letters` (`-c`, `-lc`, `-ec`), or -1. */
function programAfterOption(args: readonly Word[], letters: string): number {
  for (let k = 0; k < args.length; k++) {
    const text = args[k]!.text;
    if (text === '--') return -1;
    if (text.length < 2 || text.charCodeAt(0) !== 0x2d) continue;
    if (text.charCodeAt(1) === 0x2d) {
      if (text === '--command' || text === '--eval') return k + 1;
      continue;
    }
    if (text.toLowerCase() === '-command' || [...letters].some((l) => text.includes(l))) return k + 1;
  }
  return -1;
}

/** What an upstream `echo`/`printf` writes into this command's stdin. */
function echoedInput(inv: Invocation): string | undefined {
  const from = inv.command.pipeFrom;
  if (from === undefined) return undefined;
  const upstream = resolveInvocation(from);
  if (upstream === undefined || !ECHOES.has(upstream.name)) return undefined;
  return joined(upstream.args.filter((w) => !/^-[neE]+$/.test(w.text)));
}

function stdinPrograms(inv: Invocation): readonly string[] {
  const echoed = echoedInput(inv);
  return echoed === undefined ? inv.command.stdin : [...inv.command.stdin, echoed];
}

export function payloadsOf(inv: Invocation): Payload[] {
  const name = inv.name;
  const args = inv.args;
  const inline = INLINE_PROGRAM_OPTIONS.get(name);
  if (inline !== undefined) {
    const at = programAfterOption(args, inline);
    const program = at !== -1 ? args[at]?.text : undefined;
    const shell = isShell(name);
    if (program !== undefined) {
      const text = name === 'pwsh' || name === 'powershell' ? joined(args.slice(at)) : program;
      return [shell ? { kind: 'script', text, sql: false } : { kind: 'code', text }];
    }
    // A program file operand (`bash install.sh`) is not readable here; `-` means stdin.
    const first = firstOperand(args);
    if (first !== undefined && first.text !== '-') return [];
    return stdinPrograms(inv).map((text): Payload => (shell ? { kind: 'script', text, sql: false } : { kind: 'code', text }));
  }
  const sqlOptions = SQL_CLIENTS.get(name);
  if (sqlOptions !== undefined) return sqlPayloads(inv, sqlOptions);
  switch (name) {
    case 'eval':
      return [{ kind: 'script', text: joined(args), sql: false }];
    case 'watch':
      return [{ kind: 'script', text: joined(watchedCommand(args)), sql: false }];
    case 'su':
      return optionValues(args, ['-c', '--command']).map((text) => ({ kind: 'script', text, sql: false }));
    case 'cmd':
    case 'cmd.exe': {
      const at = args.findIndex((w) => w.text.toLowerCase() === '/c' || w.text.toLowerCase() === '/k');
      return at === -1 ? [] : [{ kind: 'script', text: joined(args.slice(at + 1)), sql: false }];
    }
    case 'ssh':
      return sshPayload(args);
    case 'find':
      return findExecPayloads(args);
    default:
      return [];
  }
}

/** `watch [-n secs] [-d] cmd…`: the words after its options. */
function watchedCommand(args: readonly Word[]): Word[] {
  let k = 0;
  while (k < args.length && args[k]!.text.startsWith('-')) k += args[k]!.text === '-n' || args[k]!.text === '--interval' ? 2 : 1;
  return args.slice(k);
}

function sqlPayloads(inv: Invocation, names: readonly string[]): Payload[] {
  const texts = optionValues(inv.args, names);
  if (inv.name === 'sqlite3' || inv.name === 'duckdb') {
    const ops = operands(inv.args);
    if (ops.length > 1) texts.push(joined(ops.slice(1)));
  }
  texts.push(...stdinPrograms(inv));
  return texts.map((text) => ({ kind: 'script', text, sql: true }));
}

function sshPayload(args: readonly Word[]): Payload[] {
  let k = 0;
  while (k < args.length && args[k]!.text.startsWith('-')) k += SSH_VALUED.has(args[k]!.text) ? 2 : 1;
  const remote = args.slice(k + 1);
  return remote.length === 0 ? [] : [{ kind: 'script', text: joined(remote), sql: false }];
}

/** `find … -exec cmd {} ;` → `cmd <start>/…`: `{}` stands for a path below the start paths. */
function findExecPayloads(args: readonly Word[]): Payload[] {
  const out: Payload[] = [];
  const start = findStartPaths(args)[0]!;
  for (let k = 0; k < args.length; k++) {
    const text = args[k]!.text;
    if (text !== '-exec' && text !== '-execdir' && text !== '-ok' && text !== '-okdir') continue;
    const words: Word[] = [];
    for (k++; k < args.length && args[k]!.text !== ';' && args[k]!.text !== '+'; k++) {
      const word = args[k]!;
      words.push(word.text === '{}' ? { text: `${start}/{}`, quoted: true, subs: undefined } : word);
    }
    if (words.length > 0) out.push({ kind: 'words', words });
  }
  return out;
}
