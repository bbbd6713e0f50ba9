/**
 * What a simple command runs once the shell's prefixes are peeled off: variable assignments (`FOO=1 git …`),
 * reserved words (`{`, `then`, `!`, …), a copied prompt (`$ rm …`) and the wrappers that run another command as
 * given (`sudo`, `env`, `command`, `builtin`, `time`, `nohup`, `nice`, `timeout`, `xargs`, …), each with the options
 * that take a value. `command -v` and `command -V` only look a name up, so nothing runs.
 *
 * The program name is the last path component (`/usr/bin/git` is `git`); the detectors compare it lower-cased.
 */
import type { SimpleCommand, Word } from './tokenize.js';

export interface Invocation {
  /** The program without its directory (lower-cased where case does not matter, see `programName`). */
  name: string;
  /** The program as written (SQL keywords are told apart by case). */
  written: string;
  /** Its arguments, after quote removal. */
  args: readonly Word[];
  command: SimpleCommand;
  /** Run by `xargs`: more arguments come from stdin. */
  fromStdin: boolean;
}

/** Statement keywords, matched whatever their case (SQL is case-insensitive). */
export const SQL_KEYWORDS: readonly string[] = ['drop', 'truncate', 'delete', 'flushall', 'flushdb'];

/** Windows and PowerShell commands, matched whatever their case (as Windows does). */
const WINDOWS_COMMANDS = [
  'iex', 'invoke-expression', 'irm', 'iwr', 'invoke-webrequest', 'invoke-restmethod', 'powershell', 'pwsh', 'cmd',
  'cmd.exe', 'remove-item',
];

/** Everything else is matched as written, as a POSIX shell does: "Shutdown the server" is not `shutdown`. */
const CASE_INSENSITIVE: ReadonlySet<string> = new Set([...SQL_KEYWORDS, ...WINDOWS_COMMANDS]);

const RESERVED = new Set(['{', '}', '!', 'if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'esac', '$', 'coproc']);

/** Wrapper → its options that take a value (as a separate word). */
const WRAPPERS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['sudo', new Set(['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T', '--user', '--group', '--host', '--prompt'])],
  ['doas', new Set(['-u', '-C'])],
  ['env', new Set(['-u', '-C', '-S', '--unset', '--chdir', '--split-string'])],
  ['command', new Set()],
  ['builtin', new Set()],
  ['exec', new Set(['-a'])],
  ['time', new Set(['-f', '-o', '--format', '--output'])],
  ['nohup', new Set()],
  ['nice', new Set(['-n', '--adjustment'])],
  ['ionice', new Set(['-c', '-n', '-p', '--class', '--classdata'])],
  ['timeout', new Set(['-s', '-k', '--signal', '--kill-after'])],
  ['stdbuf', new Set(['-i', '-o', '-e', '--input', '--output', '--error'])],
  ['xargs', new Set(['-I', '-n', '-P', '-L', '-d', '-E', '-s', '-a', '--max-args', '--max-procs', '--delimiter', '--arg-file'])],
  ['runuser', new Set(['-u', '-g', '-G', '--user', '--group'])],
  ['unbuffer', new Set()],
  ['busybox', new Set()],
  ['caffeinate', new Set()],
]);

/** Wrappers that take one positional operand before the command they run. */
const OPERAND_BEFORE_COMMAND = new Set(['timeout', 'chroot']);

const MAX_WRAPPERS = 16;

/** Longer words are never a program any detector knows: they are returned as they are. */
const MAX_PROGRAM_NAME = 64;

/** The program a command word names: its last path component, lower-cased only where case does not matter. */
export function programName(text: string): string {
  if (text.length > MAX_PROGRAM_NAME && text.lastIndexOf('/') < text.length - MAX_PROGRAM_NAME) return text;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x2f || (c >= 0x41 && c <= 0x5a) || c > 0x7f) {
      const slash = text.lastIndexOf('/');
      const base = slash === -1 ? text : text.slice(slash + 1);
      const lower = base.toLowerCase();
      return CASE_INSENSITIVE.has(lower) ? lower : base;
    }
  }
  return text;
}

export function isAssignment(word: Word): boolean {
  const text = word.text;
  const eq = text.indexOf('=');
  if (eq <= 0) return false;
  for (let k = 0; k < eq; k++) {
    const c = text.charCodeAt(k);
    const ok = c === 0x5f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (k > 0 && c >= 0x30 && c <= 0x39);
    if (!ok) return c === 0x2b && k === eq - 1 && k > 0; // FOO+=bar
  }
  return true;
}

/** Words that come before the program: reserved words and wrappers (assignments are told by `isAssignment`). */
export const PREFIX_WORDS: readonly string[] = [...RESERVED, ...WRAPPERS.keys(), ...OPERAND_BEFORE_COMMAND];

/**
 * The invocation a command makes, or undefined when nothing runs or when `wanted` (given the lower-cased program
 * name) says nobody looks at this program: most commands stop here, before their arguments are copied.
 */
export function resolveInvocation(command: SimpleCommand, wanted: (name: string) => boolean = () => true): Invocation | undefined {
  const words = command.words;
  let k = 0;
  let fromStdin = false;
  for (let hops = 0; hops <= MAX_WRAPPERS && k < words.length; hops++) {
    while (k < words.length && (RESERVED.has(words[k]!.text) || isAssignment(words[k]!))) k++;
    if (k >= words.length) return undefined;
    const written = words[k]!.text;
    const name = programName(written);
    const valued = WRAPPERS.get(name);
    if (valued === undefined && !OPERAND_BEFORE_COMMAND.has(name)) {
      // A lone quoted word is a string, not a command line (`('shutdown')` in code).
      if (words[k]!.quoted && k === words.length - 1) return undefined;
      return wanted(name) ? { name, written, args: words.slice(k + 1), command, fromStdin } : undefined;
    }
    if (name === 'xargs') fromStdin = true;
    if (name === 'command' && (words[k + 1]?.text === '-v' || words[k + 1]?.text === '-V')) return undefined;
    k = skipOptions(words, k + 1, valued ?? new Set());
    if (OPERAND_BEFORE_COMMAND.has(name)) k++;
  }
  return undefined;
}

/** Index of the first word after the options (and `--`) that start at `k`. */
function skipOptions(words: readonly Word[], k: number, valued: ReadonlySet<string>): number {
  while (k < words.length) {
    const text = words[k]!.text;
    if (text === '--') return k + 1;
    if (isAssignment(words[k]!)) {
      k++;
      continue;
    }
    if (text.length < 2 || text.charCodeAt(0) !== 0x2d) return k;
    k += valued.has(text) ? 2 : 1;
  }
  return k;
}

// ---------------------------------------------------------------------------------------------------------------
// Option reading shared by the family detectors.

/** Arguments before `--` that are options (start with `-`, not a lone `-`). */
export function options(args: readonly Word[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const text = arg.text;
    if (text === '--') break;
    if (text.length > 1 && text.charCodeAt(0) === 0x2d) out.push(text);
  }
  return out;
}

/** Arguments that are not options (everything after `--` counts). */
export function operands(args: readonly Word[]): Word[] {
  const out: Word[] = [];
  let ended = false;
  for (const arg of args) {
    const text = arg.text;
    if (!ended && text === '--') {
      ended = true;
      continue;
    }
    if (ended || text.length < 2 || text.charCodeAt(0) !== 0x2d) out.push(arg);
  }
  return out;
}

/** The first argument that is not an option (or the first after `--`), without building a list. */
export function firstOperand(args: readonly Word[]): Word | undefined {
  for (let k = 0; k < args.length; k++) {
    const text = args[k]!.text;
    if (text === '--') return args[k + 1];
    if (text.length < 2 || text.charCodeAt(0) !== 0x2d) return args[k];
  }
  return undefined;
}

/**
 * True when a short option cluster holds `letter` (`-rf` holds `f`) or a long option is `long` (also `--long=…`
 * and, where `abbreviations` allows it as GNU getopt does, an unambiguous prefix of at least 3 characters).
 */
export function hasOption(opts: readonly string[], letter: string | undefined, long: string | undefined, abbreviations = false): boolean {
  for (const opt of opts) {
    if (opt.charCodeAt(1) === 0x2d) {
      if (long === undefined) continue;
      const eq = opt.indexOf('=');
      const name = eq === -1 ? opt : opt.slice(0, eq);
      if (name === long || (abbreviations && name.length >= 5 && long.startsWith(name))) return true;
    } else if (letter !== undefined && opt.includes(letter)) {
      return true;
    }
  }
  return false;
}

/** Asks for help or a version only: nothing is changed. */
export function onlyDescribes(args: readonly Word[]): boolean {
  for (const arg of args) {
    const text = arg.text;
    if (text === '--help' || text === '--version' || text === '-h' && args.length === 1) return true;
  }
  return false;
}

/** The first argument that is not an option, lower-cased: a subcommand such as `git reset`'s `reset`. */
export function subcommandAt(args: readonly Word[], from = 0): number {
  for (let k = from; k < args.length; k++) {
    const text = args[k]!.text;
    if (text.length === 0 || text.charCodeAt(0) !== 0x2d) return k;
  }
  return -1;
}
