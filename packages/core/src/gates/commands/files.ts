/**
 * File and disk commands that destroy data beyond recovery:
 * - `rm` recursive and forced (`-rf`, `-r -f`, `--recursive --force`, abbreviations), unless it names at least one
 *   target and every target is scratch (see targets.ts): `rm -rf node_modules`, `rm -rf /tmp/build` pass;
 *   `rm -rf ./src`, `rm -rf *`, `rm -rf $(…)` and `xargs rm -rf` (targets from stdin) fail; a bare `rm -rf`
 *   deletes nothing (and is how prose names the command), so it passes. `rm -r` without
 *   force counts only on a catastrophic target (`rm -r /`, `rm -r ~`).
 * - `find … -delete` unless every start path is scratch (`-exec` payloads are checked as commands of their own,
 *   with `{}` standing for a path under the start paths).
 * - `shred` of anything; `dd` writing to a disk device (`of=/dev/sda`); `mkfs*`, `mke2fs`, `mkswap`, `wipefs`,
 *   `blkdiscard`, `sgdisk --zap-all`; a redirection into a disk device (`> /dev/sda`).
 * - `chmod`/`chown`/`chgrp` recursive on the root, a home or a system directory (`chmod -R 777 /`), and
 *   `chmod 777 /` or `chmod 000 /` even without `-R`; `mv` of such a directory (`mv ~ /dev/null`). Paths below
 *   a system directory (`chown -R app /srv/app/uploads`) are ordinary administration.
 * Safe look-alikes: `chmod 644 file`, `chmod -R u+w build`, `rm -f file.txt`, `rm -r dir` (asks first when it
 * matters), `srm`, `find . -name '*.txt' -exec rm {} \;` (not recursive).
 */
import { hasOption, operands, options, type Invocation } from './invocation.js';
import { isBlockDevice, isScratch, isSystemRoot } from './targets.js';
import type { Word } from './tokenize.js';

const FORMATTERS = new Set(['mkfs', 'mke2fs', 'mkswap', 'mkntfs', 'mkdosfs', 'newfs', 'wipefs', 'blkdiscard']);
const OWNERSHIP = new Set(['chmod', 'chown', 'chgrp']);

/** Programs this family looks at (`mkfs.<type>` is looked up as `mkfs`, see programKey). */
export const FILE_PROGRAMS: readonly string[] = ['rm', 'find', 'shred', 'dd', 'sgdisk', 'mv', ...FORMATTERS, ...OWNERSHIP];

export function isDestructiveFileCommand(inv: Invocation): boolean {
  const name = inv.name;
  if (name === 'rm') return isDestructiveRm(inv.args, inv.fromStdin);
  if (name === 'shred') return operands(inv.args).length > 0;
  if (name === 'dd') return inv.args.some((w) => w.text.startsWith('of=') && isBlockDevice(w.text.slice(3)));
  if (FORMATTERS.has(name) || name.startsWith('mkfs.')) return operands(inv.args).length > 0;
  if (name === 'find') return isDestructiveFind(inv.args);
  if (name === 'sgdisk') return hasOption(options(inv.args), 'Z', '--zap-all');
  if (OWNERSHIP.has(name)) return isOwnershipWipe(name, inv.args);
  if (name === 'mv') return isMoveAway(inv.args);
  return false;
}

/** `fromStdin`: run by `xargs`, so targets arrive on stdin; without them and without operands `rm` does nothing. */
export function isDestructiveRm(args: readonly Word[], fromStdin = false): boolean {
  const opts = options(args);
  const recursive = hasOption(opts, 'r', '--recursive', true) || hasOption(opts, 'R', undefined);
  if (!recursive) return false;
  const targets = operands(args);
  if (targets.some((t) => isSystemRoot(t.text))) return true;
  if (!hasOption(opts, 'f', '--force', true)) return false;
  return targets.length === 0 ? fromStdin : !targets.every((t) => isScratch(t.text));
}

/** Start paths of a `find` command: the operands before the first expression token. */
export function findStartPaths(args: readonly Word[]): string[] {
  const starts: string[] = [];
  let k = 0;
  while (k < args.length && /^-[HLP]$|^-O\d$/.test(args[k]!.text)) k++;
  if (args[k]?.text === '-D') k += 2;
  for (; k < args.length; k++) {
    const text = args[k]!.text;
    if (text.startsWith('-') || text === '(' || text === '!' || text === ')') break;
    starts.push(text);
  }
  return starts.length > 0 ? starts : ['.'];
}

export function isDestructiveFind(args: readonly Word[]): boolean {
  if (!args.some((w) => w.text === '-delete')) return false;
  return !findStartPaths(args).every(isScratch);
}

function isOwnershipWipe(name: string, args: readonly Word[]): boolean {
  const opts = options(args);
  const reference = hasOption(opts, undefined, '--reference');
  const targets = operands(args).slice(reference ? 0 : 1).map((w) => w.text);
  if (!targets.some(isSystemRoot)) return false;
  if (hasOption(opts, 'R', '--recursive')) return true;
  const mode = operands(args)[0]?.text;
  return name === 'chmod' && (mode === '777' || mode === '000' || mode === '0777' || mode === '0000') && targets.some((t) => t === '/');
}

function isMoveAway(args: readonly Word[]): boolean {
  const targets = operands(args);
  if (targets.length < 2) return false;
  return targets.slice(0, -1).some((t) => isSystemRoot(t.text));
}

/** A redirection that overwrites a disk device (`cat image > /dev/sda`). */
export function redirectsIntoDisk(redirects: readonly Word[]): boolean {
  return redirects.some((w) => isBlockDevice(w.text));
}
