/**
 * Running code fetched from the network without looking at it first:
 * - a download piped into an interpreter that reads its program from stdin: `curl … | sh`, `wget -O- … | sudo
 *   bash`, `curl … | python3 -`, `irm … | iex` (any number of stages in between, `| tee log | sh` included);
 * - a download substituted into an interpreter's arguments: `bash <(curl …)`, `sh -c "$(curl -fsSL …)"`,
 *   `eval "$(wget -qO- …)"`, `source <(curl …)`;
 * - PowerShell's `iex`/`Invoke-Expression` of a `DownloadString`.
 * Safe look-alikes: `curl https://example.com`, `curl -o install.sh …` (saved for review), `bash install.sh`,
 * `curl … | jq .`, `curl … | sh -c 'cat > file'` (the shell runs its -c program, not the download).
 */
import { firstOperand, hasOption, options, type Invocation } from './invocation.js';

const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'http', 'https', 'xh', 'aria2c', 'iwr', 'irm', 'invoke-webrequest', 'invoke-restmethod']);

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'csh', 'tcsh', 'pwsh', 'powershell']);

/** Interpreter → the short options that hand it its program inline (so stdin is not the program). */
export const INLINE_PROGRAM_OPTIONS: ReadonlyMap<string, string> = new Map([
  ...[...SHELLS].map((shell): [string, string] => [shell, 'c']),
  ...['python', 'python2', 'python3', 'pypy', 'pypy3'].map((py): [string, string] => [py, 'cm']),
  ['perl', 'eE'],
  ['ruby', 'e'],
  ['node', 'ep'],
  ['nodejs', 'ep'],
  ['bun', 'ep'],
  ['deno', 'e'],
  ['php', 'r'],
]);
const LANGUAGES = new Set([...INLINE_PROGRAM_OPTIONS.keys()].filter((name) => !SHELLS.has(name)));
const EVALUATORS = new Set(['eval', 'source', '.', 'iex', 'invoke-expression']);

/** Programs this family looks at: downloaders and interpreters. */
export const REMOTE_CODE_PROGRAMS: readonly string[] = [...DOWNLOADERS, ...SHELLS, ...LANGUAGES, ...EVALUATORS];

export function isDownloader(inv: Invocation): boolean {
  return DOWNLOADERS.has(inv.name);
}

export function isInterpreter(name: string): boolean {
  return SHELLS.has(name) || LANGUAGES.has(name) || EVALUATORS.has(name);
}

export function isShell(name: string): boolean {
  return SHELLS.has(name);
}

/** The interpreter takes its program from stdin: no program operand (or `-`), no `-c`/`-e` program. */
export function readsProgramFromStdin(inv: Invocation): boolean {
  const name = inv.name;
  if (name === 'iex' || name === 'invoke-expression') return true;
  const inline = INLINE_PROGRAM_OPTIONS.get(name);
  if (inline === undefined) return false;
  const opts = options(inv.args);
  if (opts.some((o) => o.charCodeAt(1) !== 0x2d && holdsAnyLetter(o, inline))) return false;
  if (hasOption(opts, undefined, '--eval') || hasOption(opts, undefined, '--command')) return false;
  const program = firstOperand(inv.args);
  return program === undefined || program.text === '-' || hasOption(opts, 's', undefined);
}

/**
 * `upstreamDownloads`: a download feeds this command's stdin; `downloadingSubstitutions`: ids of substitutions
 * whose commands download.
 */
export function isRemoteCodeExecution(
  inv: Invocation,
  upstreamDownloads: boolean,
  downloadingSubstitutions: ReadonlySet<number>,
): boolean {
  if (!isInterpreter(inv.name)) return false;
  if (upstreamDownloads && readsProgramFromStdin(inv)) return true;
  if (downloadingSubstitutions.size > 0 && inv.args.some((w) => w.subs?.some((id) => downloadingSubstitutions.has(id)))) {
    return true;
  }
  return (inv.name === 'iex' || inv.name === 'invoke-expression') && inv.args.some((w) => w.text.toLowerCase().includes('downloadstring'));
}

function holdsAnyLetter(option: string, letters: string): boolean {
  for (let k = 1; k < option.length; k++) if (letters.includes(option[k]!)) return true;
  return false;
}
