/**
 * The `filesystem` gate (docs/sdk.md, Built-in gates): fails when an output carries a destructive recursive delete, a `..` path
 * component or a sensitive location. Every detector is a single left-to-right pass (a literal pre-filter, then a
 * bounded look around each hit), so a 1 MB hostile string costs milliseconds, never a hang.
 *
 * What each family claims, and what it deliberately leaves alone:
 *
 * `recursiveDelete` — a delete that is both recursive and non-interactive:
 *   - `rm` (also `/bin/rm`, `\rm`, after `sudo`/`xargs`/`;`/`&&`/`|`/`$(`/backticks/newlines, inside quotes, JSON
 *     strings, escaped JSON and argv arrays such as `["rm", "-rf", "/"]`) with recursive (`-r`, `-R`, `--recursive`)
 *     and force (`-f`, `--force`) in any clustering or order, GNU long-option abbreviations (`--rec`, `--forc`) and
 *     options after operands (GNU permutes them). `--` ends the options, as it does for `rm`.
 *     `rm -r` without force does not count: the gate is documented (docs/sdk.md) as recursive + force, and `rm -r` alone is a very
 *     common, legitimate instruction.
 *   - PowerShell `Remove-Item`/`rm`/`del`/`rmdir` with `-Recurse` and `-Force` (and their abbreviations `-r`, `-fo`).
 *   - cmd.exe `rmdir`/`rd`/`del`/`erase` with `/s` and `/q` (quiet = no confirmation).
 *   - `find … -delete` (recursive by nature, never asks), also `find … -exec rm -rf {} +`.
 *   Not claimed: `shred` (not recursive), `git clean`, `rsync --delete`, library calls (`shutil.rmtree`,
 *   `fs.rmSync(…, { recursive: true })`) — code that merely contains them is everyday agent output, so flagging it
 *   would mostly raise false alarms. `rm` must stand as its own word ("perform -rf", "charm -r -f" pass) and
 *   `-F` is not force (it is not an `rm` option).
 *
 * `pathTraversal` — `..` as a whole path component: `../`, `..\`, `/..` or `\..` at the end of a path, `..` alone
 *   as an entire string value or between quotes (`".."`), `cd ..`, and URL-encoded forms (`%2e%2e%2f`, `..%2f`,
 *   `%2e%2e/`, `..%5c`, double-encoded `%252e%252e%252f`). Not claimed: runs of three or more dots ("Loading...",
 *   `...args`, `.../`), `..` glued to a word or number (`1..10`, `main..feature`, "wait..", `1.2..3`), and `..`
 *   between spaces in prose ("so .. anyway"), which cannot be told apart from a shell argument without a parser.
 *
 * `sensitivePaths` — `/etc`, `/usr`, `/var` as the start of an absolute path (also `file:///etc`), and `.ssh`,
 *   `.aws`, `.gnupg` directly under a home directory: `~`, `~alice`, `$HOME`, `${HOME}`, `%USERPROFILE%`, `/root`,
 *   `/home/<user>`, `/Users/<user>`, `C:\Users\<user>`. The path must end at a component boundary (`/etc`,
 *   `/etc/passwd`, "in /etc." yes; `/etcetera`, `/var-lib`, `/etc.bak` no). Not claimed: "etc." in prose; a URL's
 *   path (`https://example.com/etc/x`: the host glued in front rules it out); relative paths (`foo/etc`, `./.ssh`,
 *   `${PREFIX}/etc`, `../../etc/passwd`, which is pathTraversal's); a `.ssh` deeper than the home directory
 *   (`/home/a/b/.ssh`); the `/usr/bin/env` of a `#!` line; Windows system folders.
 *   `extraSensitivePaths` adds absolute prefixes (`/opt/secrets`) or home-relative ones (`~/.kube`).
 *
 * An unfinished command carries over to the next string of the output, so that argv arrays
 * (`{ cmd: "rm", args: ["-r", "-f", "/"] }`) count; reasons name the families, never the matched text.
 */
import type { Gate, GateOptions } from '../../types.js';
import { assertOptionsObject, booleanOption, gateName } from '../options.js';
import { walkStrings } from '../walk.js';
import { warmUp } from '../warm-up.js';
import { meterOf } from '../../budget.js';
import { markSignalFree } from '../../signal-free.js';
import { containsPathTraversal } from './path-traversal.js';
import { containsRecursiveDelete, newDeleteScan } from './recursive-delete.js';
import {
  compileSensitivePaths,
  containsSensitivePath,
  DEFAULT_SENSITIVE_PATHS,
  MAX_EXTRA_SENSITIVE_PATHS,
  MAX_SENSITIVE_PATH_LENGTH,
  parseExtraSensitivePaths,
} from './sensitive-paths.js';

export type FilesystemFamily = 'recursiveDelete' | 'pathTraversal' | 'sensitivePaths';

export interface FilesystemOptions extends GateOptions {
  /** Fail on destructive recursive deletes (`rm -rf` and friends). Default true. */
  recursiveDelete?: boolean;
  /** Fail on `..` used as a path component. Default true. */
  pathTraversal?: boolean;
  /** Fail on sensitive locations (`/etc`, `/usr`, `/var`, `~/.ssh`, `~/.aws`, `~/.gnupg`). Default true. */
  sensitivePaths?: boolean;
  /**
   * More sensitive locations, each an absolute path (`/opt/secrets`) or a home-relative one (`~/.kube`, matched
   * under every home-directory spelling). Matched as whole path components. Requires `sensitivePaths`.
   */
  extraSensitivePaths?: readonly string[];
}

export { MAX_EXTRA_SENSITIVE_PATHS, MAX_SENSITIVE_PATH_LENGTH };

const FAMILY_ORDER: readonly FilesystemFamily[] = ['recursiveDelete', 'pathTraversal', 'sensitivePaths'];
const FAMILY_LABEL: Readonly<Record<FilesystemFamily, string>> = {
  recursiveDelete: 'destructive recursive delete',
  pathTraversal: 'path traversal (..)',
  sensitivePaths: 'sensitive path',
};
const KNOWN_OPTIONS = new Set(['name', 'recursiveDelete', 'pathTraversal', 'sensitivePaths', 'extraSensitivePaths']);

/** Findings and clean text of the kinds this gate reads, run once at start-up (see warm-up.ts). */
const FILESYSTEM_WARM_UP: readonly unknown[] = [
  'sudo rm -rf / --no-preserve-root && cat ../../../etc/passwd > ~/.ssh/authorized_keys',
  'See [the docs](./docs/api.md) and run `npm test` in the project folder.',
];

export function filesystem(options?: FilesystemOptions): Gate {
  assertOptionsObject(options, 'filesystem');
  for (const key of Object.keys(options ?? {})) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`filesystem: unknown option "${key}"`);
  }
  const name = gateName(options, 'filesystem');
  const enabled: Record<FilesystemFamily, boolean> = {
    recursiveDelete: booleanOption(options?.recursiveDelete, true, 'filesystem: recursiveDelete'),
    pathTraversal: booleanOption(options?.pathTraversal, true, 'filesystem: pathTraversal'),
    sensitivePaths: booleanOption(options?.sensitivePaths, true, 'filesystem: sensitivePaths'),
  };
  const extras = parseExtraSensitivePaths(options?.extraSensitivePaths);
  if (extras.length > 0 && !enabled.sensitivePaths) {
    throw new TypeError('filesystem: extraSensitivePaths needs sensitivePaths enabled');
  }
  const families = FAMILY_ORDER.filter((family) => enabled[family]);
  if (families.length === 0) throw new TypeError('filesystem: at least one check must be enabled');
  const sensitive = compileSensitivePaths([...DEFAULT_SENSITIVE_PATHS, ...extras]);

  return warmUp(
    `filesystem:${families.join(',')}`,
    markSignalFree({
      name,
      run(ctx, _signal, budget) {
        const found = new Set<FilesystemFamily>();
        const deleteScan = newDeleteScan();
        const meter = meterOf(budget);
        walkStrings(ctx.output, (text) => {
          if (enabled.recursiveDelete && !found.has('recursiveDelete') && containsRecursiveDelete(text, deleteScan)) {
            found.add('recursiveDelete');
          }
          if (enabled.pathTraversal && !found.has('pathTraversal') && containsPathTraversal(text)) {
            found.add('pathTraversal');
          }
          if (enabled.sensitivePaths && !found.has('sensitivePaths') && containsSensitivePath(text, sensitive)) {
            found.add('sensitivePaths');
          }
          return found.size === families.length;
        }, { meter });
        if (found.size === 0) return { passed: true };
        const hits = families.filter((family) => found.has(family));
        return { passed: false, reason: describeFamilies(hits), details: { families: hits } };
      },
    }),
    FILESYSTEM_WARM_UP,
  );
}

function describeFamilies(hits: readonly FilesystemFamily[]): string {
  const labels = hits.map((family) => FAMILY_LABEL[family]);
  const listed = labels.length === 1 ? labels[0]! : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)!}`;
  return `${listed} in output`;
}

