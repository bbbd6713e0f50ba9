/**
 * Reads command lines and reports which destructive-command families they hold. Each simple command is peeled
 * of its wrappers (invocation.ts) and offered to the family detectors; programs it hands on (payloads.ts) are read
 * the same way one level deeper, up to MAX_PAYLOAD_DEPTH levels, so `sudo bash -c "eval 'rm -rf /'"` counts.
 *
 * Work stays linear: a payload is the text of one of the command's own words (or a join of them), so each level
 * reads at most the characters of the level above, and the depth is bounded.
 */
import { isDestructiveCloudCommand } from './cloud.js';
import type { CommandFamily, EnabledFamilies } from './families.js';
import { COMMAND_FAMILIES } from './families.js';
import { isDestructiveFileCommand, isDestructiveFind, redirectsIntoDisk } from './files.js';
import { readInlineCode } from './inline-code.js';
import { onlyDescribes, resolveInvocation, type Invocation } from './invocation.js';
import { payloadsOf } from './payloads.js';
import { isDownloader, isRemoteCodeExecution } from './remote-code.js';
import { isDestructiveStatement, isMongoDrop } from './sql.js';
import { hasForkBomb, isDestructiveSystemCommand, redirectsIntoSysrq } from './system.js';
import { tokenize, type SimpleCommand, type Word } from './tokenize.js';
import { isDestructiveVcs } from './vcs.js';

/** How many times a program handed on (`bash -c`, `eval`, `ssh host …`) is read again inside another. */
export const MAX_PAYLOAD_DEPTH = 4;

const DETECTORS: ReadonlyArray<[CommandFamily, (inv: Invocation) => boolean]> = [
  ['vcs', isDestructiveVcs],
  ['files', (inv) => isDestructiveFileCommand(inv) || (inv.name === 'find' && isDestructiveFind(inv.args))],
  ['system', isDestructiveSystemCommand],
  ['sql', isDestructiveStatement],
  ['cloud', isDestructiveCloudCommand],
];

/** Per script: which commands carry downloaded data on stdout, which substitutions download. */
interface Downloads {
  commands: Set<SimpleCommand>;
  substitutions: Set<number>;
}

export class CommandScan {
  readonly #enabled: EnabledFamilies;
  readonly #found = new Set<CommandFamily>();
  readonly #wanted: number;

  constructor(enabled: EnabledFamilies) {
    this.#enabled = enabled;
    this.#wanted = COMMAND_FAMILIES.filter((family) => enabled[family]).length;
  }

  /** Families found so far, in the fixed order of COMMAND_FAMILIES. */
  families(): CommandFamily[] {
    return COMMAND_FAMILIES.filter((family) => this.#found.has(family));
  }

  /** Every enabled family has been found: reading more cannot change the verdict. */
  complete(): boolean {
    return this.#found.size >= this.#wanted;
  }

  #report(family: CommandFamily): void {
    if (this.#enabled[family]) this.#found.add(family);
  }

  #wants(family: CommandFamily): boolean {
    return this.#enabled[family] && !this.#found.has(family);
  }

  /** A command line, a script, or text that may hold some (`sql`: a database client's input). */
  script(text: string, depth = 0, sql = false): void {
    const script = tokenize(text, { sql });
    if (this.#wants('system') && hasForkBomb(script)) this.#report('system');
    if (this.#wants('sql')) for (const name of script.functions) if (isMongoDrop(name)) this.#report('sql');
    const downloads: Downloads = { commands: new Set(), substitutions: new Set() };
    for (const command of script.commands) {
      if (this.complete()) return;
      this.#command(command, depth, downloads);
    }
  }

  /** One command already split into words (an argv array). */
  argv(words: readonly Word[], depth = 0): void {
    const command: SimpleCommand = { words: [...words], redirects: [], stdin: [], pipeTo: undefined, pipeFrom: undefined, sub: -1 };
    this.#command(command, depth, { commands: new Set(), substitutions: new Set() });
  }

  #command(command: SimpleCommand, depth: number, downloads: Downloads): void {
    if (command.redirects.length > 0) {
      if (this.#wants('files') && redirectsIntoDisk(command.redirects)) this.#report('files');
      if (this.#wants('system') && redirectsIntoSysrq(command.redirects)) this.#report('system');
    }
    const inv = resolveInvocation(command);
    const upstream = command.pipeFrom !== undefined && downloads.commands.has(command.pipeFrom);
    const downloading = inv !== undefined && isDownloader(inv);
    if (downloading || upstream) downloads.commands.add(command);
    if (command.sub >= 0 && (downloading || command.words.some((w) => w.subs?.some((id) => downloads.substitutions.has(id))))) {
      downloads.substitutions.add(command.sub);
    }
    if (inv === undefined || onlyDescribes(inv.args)) return;
    this.#invocation(inv, depth, upstream, downloads.substitutions);
  }

  #invocation(inv: Invocation, depth: number, upstream: boolean, downloadingSubstitutions: ReadonlySet<number>): void {
    for (const [family, detect] of DETECTORS) {
      if (this.#wants(family) && detect(inv)) this.#report(family);
    }
    if (this.#wants('remoteCode') && isRemoteCodeExecution(inv, upstream, downloadingSubstitutions)) this.#report('remoteCode');
    if (depth >= MAX_PAYLOAD_DEPTH || this.complete()) return;
    for (const payload of payloadsOf(inv)) {
      if (payload.kind === 'script') this.script(payload.text, depth + 1, payload.sql);
      else if (payload.kind === 'words') this.argv(payload.words, depth + 1);
      else this.#code(payload.text, depth + 1);
    }
  }

  #code(code: string, depth: number): void {
    const read = readInlineCode(code);
    if (read.deletes) this.#report('files');
    for (const program of read.shellPrograms) this.script(program, depth);
  }
}
