/**
 * One-line programs handed to an interpreter (`python -c`, `node -e`, `ruby -e`, `perl -e`, `php -r`, or a
 * here-document fed to one). Two things count:
 * - a recursive delete through the language's library (`shutil.rmtree`, `FileUtils.rm_rf`, `fs.rmSync(…,
 *   {recursive: true})`, `File::Path::rmtree`, `remove_tree`), whatever the path: an agent that reaches for an
 *   interpreter to delete a tree is not doing routine cleanup, and the path is often computed;
 * - a single-file delete (`os.remove`, `os.unlink`, `fs.unlinkSync`, `unlink`) of a catastrophic path literal
 *   (`/etc/passwd`, see targets.ts).
 * When the program shells out (`system`, `exec`, `execSync`, `popen`, `subprocess`, backticks, `%x`), its string
 * literals are returned as shell programs to be read like any command line.
 * Code that merely mentions these names in a larger file is not read here: this runs only on inline programs.
 */
import { isCatastrophic } from './targets.js';

export interface InlineCode {
  /** The program deletes recursively, or deletes a catastrophic path. */
  deletes: boolean;
  /** String literals of a program that shells out, to be read as command lines. */
  shellPrograms: string[];
}

const RECURSIVE_DELETES = ['rmtree', 'rm_rf', 'rm_r(', 'rm_r ', 'remove_tree', 'remove_dir_all', 'rimraf'];
const RECURSIVE_OPTION_DELETES = ['rmsync', 'rmdirsync', 'fs.rm(', 'promises.rm(', 'rmdir('];
const FILE_DELETES = ['remove(', 'unlink', 'rmdir', 'file.delete', 'fileutils.rm', 'delete('];
const SHELL_OUTS = ['system', 'exec', 'popen', 'spawn', 'subprocess', 'shell_exec', 'passthru', 'child_process', '%x', '`'];

export function readInlineCode(code: string): InlineCode {
  const lower = code.toLowerCase();
  const literals = stringLiterals(code);
  const deletes =
    RECURSIVE_DELETES.some((api) => lower.includes(api)) ||
    (RECURSIVE_OPTION_DELETES.some((api) => lower.includes(api)) && lower.includes('recursive')) ||
    (FILE_DELETES.some((api) => lower.includes(api)) && literals.some(isCatastrophic));
  const shellPrograms = SHELL_OUTS.some((api) => lower.includes(api)) ? literals : [];
  return { deletes, shellPrograms };
}

/** Contents of '…', "…" and `…` literals, in one pass (backslash escapes skipped, not decoded). */
export function stringLiterals(code: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < code.length) {
    const c = code.charCodeAt(i);
    if (c !== 0x22 && c !== 0x27 && c !== 0x60) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < code.length && code.charCodeAt(j) !== c) j += code.charCodeAt(j) === 0x5c ? 2 : 1;
    out.push(code.slice(i + 1, Math.min(j, code.length)));
    i = j + 1;
  }
  return out;
}
