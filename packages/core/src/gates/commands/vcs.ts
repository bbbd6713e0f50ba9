/**
 * Version-control commands that lose work no commit holds, or rewrite what others share:
 * `git reset --hard|--merge`, `git clean -f` (not with `-n`), `git push --force|-f|--mirror|--delete` and `+ref` /
 * `:ref` refspecs (`--force-with-lease` is the safe spelling and passes), `git stash drop|clear`, `git branch -D`
 * (also `-d --force`), `git checkout -- <paths>` / `git checkout .` / `checkout -f`, `git restore` of the worktree
 * (`--staged` alone only unstages), `git filter-branch` / `filter-repo`, `git reflog expire|delete`,
 * `git update-ref -d`, and `gh repo delete`.
 * Safe look-alikes: `git reset --soft`, `git reset HEAD~1` (mixed: the worktree is kept), `git branch -d` (refuses
 * unmerged branches), `git stash pop`, `git push` without force, `git commit -m "… reset --hard …"`.
 */
import { hasOption, operands, options, subcommandAt, type Invocation } from './invocation.js';
import type { Word } from './tokenize.js';

/** Programs this family looks at. */
export const VCS_PROGRAMS: readonly string[] = ['git', 'gh', 'git-filter-repo'];

/** git's own options that come before the subcommand and take a value as the next word. */
const GIT_VALUED = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--super-prefix', '--config-env']);

function gitSubcommand(args: readonly Word[]): number {
  let k = 0;
  while (k < args.length) {
    const text = args[k]!.text;
    if (text.charCodeAt(0) !== 0x2d) return k;
    k += GIT_VALUED.has(text) ? 2 : 1;
  }
  return -1;
}

export function isDestructiveVcs(inv: Invocation): boolean {
  if (inv.name === 'gh') return isGhRepoDelete(inv.args);
  if (inv.name === 'git-filter-repo') return true;
  if (inv.name !== 'git') return false;
  const at = gitSubcommand(inv.args);
  if (at === -1) return false;
  const sub = inv.args[at]!.text;
  const rest = inv.args.slice(at + 1);
  const opts = options(rest);
  switch (sub) {
    case 'reset':
      return hasOption(opts, undefined, '--hard') || hasOption(opts, undefined, '--merge');
    case 'clean':
      return hasOption(opts, 'f', '--force') && !hasOption(opts, 'n', '--dry-run');
    case 'push':
      return isForcePush(rest, opts);
    case 'stash':
      return rest.length > 0 && (rest[0]!.text === 'drop' || rest[0]!.text === 'clear');
    case 'branch':
      return opts.some((o) => o.charCodeAt(1) !== 0x2d && o.includes('D')) ||
        (hasOption(opts, 'd', '--delete') && hasOption(opts, 'f', '--force'));
    case 'checkout':
      return isCheckoutDiscard(rest, opts);
    case 'restore':
      return !hasOption(opts, 'S', '--staged') || hasOption(opts, 'W', '--worktree');
    case 'filter-branch':
    case 'filter-repo':
      return true;
    case 'reflog':
      return rest.length > 0 && (rest[0]!.text === 'expire' || rest[0]!.text === 'delete');
    case 'update-ref':
      return hasOption(opts, 'd', undefined);
    default:
      return false;
  }
}

function isForcePush(rest: readonly Word[], opts: readonly string[]): boolean {
  if (hasOption(opts, 'n', '--dry-run')) return false;
  const short = opts.filter((o) => o.charCodeAt(1) !== 0x2d);
  if (short.some((o) => o.includes('f') || o.includes('d'))) return true;
  if (hasOption(opts, undefined, '--force') || hasOption(opts, undefined, '--mirror') || hasOption(opts, undefined, '--delete')) {
    return true;
  }
  // A refspec with a leading `+` forces that ref; one with an empty source (`:main`) deletes it.
  return operands(rest).some((w) => w.text.length > 1 && (w.text[0] === '+' || w.text[0] === ':'));
}

function isCheckoutDiscard(rest: readonly Word[], opts: readonly string[]): boolean {
  if (hasOption(opts, 'b', undefined) || hasOption(opts, 'B', undefined) || hasOption(opts, undefined, '--orphan')) return false;
  if (hasOption(opts, 'f', '--force')) return true;
  const dashes = rest.findIndex((w) => w.text === '--');
  if (dashes !== -1 && dashes < rest.length - 1) return true;
  return operands(rest).some((w) => w.text === '.' || w.text === ':/');
}

function isGhRepoDelete(args: readonly Word[]): boolean {
  const at = subcommandAt(args);
  return at !== -1 && args[at]!.text === 'repo' && args[at + 1]?.text === 'delete';
}
