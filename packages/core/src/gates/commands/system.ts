/**
 * Commands that take a whole machine down or lock its operator out:
 * - fork bombs: a shell function that pipes into itself (`:(){ :|:& };:`, `bomb(){ bomb|bomb& }`);
 * - `shutdown` (not `-c`, which cancels one), `reboot`, `halt`, `poweroff`, `init 0|6`, `telinit 0|6`,
 *   `systemctl poweroff|reboot|halt|kexec`;
 * - `kill` aimed at every process (`kill -9 -1`, `kill -KILL -1`, `kill -- -1`) or at init (`kill -9 1`);
 * - firewall flushes and switch-offs: `iptables -F|--flush`, `ip6tables`, `nft flush ruleset`, `ufw disable|reset`;
 * - `crontab -r` (removes every job, no confirmation);
 * - writing to `/proc/sysrq-trigger` (instant reboot or crash).
 * Safe look-alikes: `kill -1 1234` (SIGHUP to one process), `kill -9 1234`, `shutdown -c`, `iptables -L`,
 * `systemctl restart nginx`, `crontab -l`.
 */
import { hasOption, options, type Invocation } from './invocation.js';
import type { SimpleCommand, Word } from './tokenize.js';

const POWER = new Set(['reboot', 'halt', 'poweroff']);
const POWER_VERBS = new Set(['poweroff', 'reboot', 'halt', 'kexec']);
const FIREWALLS = new Set(['iptables', 'ip6tables', 'iptables-legacy', 'ip6tables-legacy', 'iptables-nft']);

/** Programs this family looks at. */
export const SYSTEM_PROGRAMS: readonly string[] = [
  ...POWER, ...FIREWALLS, 'shutdown', 'init', 'telinit', 'systemctl', 'kill', 'nft', 'ufw', 'crontab',
];

export function isDestructiveSystemCommand(inv: Invocation): boolean {
  const name = inv.name;
  const args = inv.args;
  if (POWER.has(name)) return true;
  if (name === 'shutdown') return !hasOption(options(args), 'c', undefined);
  if (name === 'init' || name === 'telinit') return args[0]?.text === '0' || args[0]?.text === '6';
  if (name === 'systemctl') return args.some((w) => POWER_VERBS.has(w.text));
  if (name === 'kill') return killsEverything(args);
  if (FIREWALLS.has(name)) return hasOption(options(args), 'F', '--flush');
  if (name === 'nft') return args[0]?.text === 'flush' && args[1]?.text === 'ruleset';
  if (name === 'ufw') return args[0]?.text === 'disable' || args[0]?.text === 'reset';
  if (name === 'crontab') return hasOption(options(args), 'r', undefined);
  return false;
}

/** `kill [SIGNAL] PID…` where a PID is `-1` (every process the caller may signal) or `1` (init). */
function killsEverything(args: readonly Word[]): boolean {
  const first = args[0]?.text;
  let k = 0;
  if (first === '-s' || first === '-n') k = 2;
  else if (first !== undefined && first.startsWith('-') && first !== '--') k = 1;
  for (; k < args.length; k++) {
    const text = args[k]!.text;
    if (text === '-1' || text === '1') return true;
  }
  return false;
}

/** A shell function piped into itself (`:|:` inside `:(){ … }`): `command` is the right-hand side. */
export function isForkBomb(command: SimpleCommand, functions: ReadonlySet<string>): boolean {
  const from = command.pipeFrom;
  if (from === undefined || functions.size === 0) return false;
  const name = firstName(command);
  return name !== undefined && functions.has(name) && firstName(from) === name;
}

function firstName(command: SimpleCommand): string | undefined {
  for (const word of command.words) {
    if (word.text !== '{') return word.text;
  }
  return undefined;
}

/** A redirection into the kernel's SysRq trigger. */
export function redirectsIntoSysrq(redirects: readonly Word[]): boolean {
  return redirects.some((w) => w.text === '/proc/sysrq-trigger');
}
