/**
 * Reads command lines and reports which destructive-command families they hold. Each simple command is peeled
 * of its wrappers (invocation.ts) and offered to the detectors of the families that know its program; programs it
 * hands on (payloads.ts) are read the same way one level deeper, up to MAX_PAYLOAD_DEPTH levels, so
 * `sudo bash -c "eval 'rm -rf /'"` counts.
 *
 * Work stays linear: commands are judged as the tokenizer ends them and then dropped; a command whose program no
 * family knows costs one map lookup; a payload is the text of the command's own words (or a join of them), so each
 * level reads at most the characters of the level above, and the depth is bounded.
 */
import type { Meter } from '../../budget.js';
import { CLOUD_PROGRAMS, isDestructiveCloudCommand } from './cloud.js';
import { COMMAND_FAMILIES, type CommandFamily, type EnabledFamilies } from './families.js';
import { FILE_PROGRAMS, isDestructiveFileCommand, redirectsIntoDisk } from './files.js';
import { readInlineCode } from './inline-code.js';
import { isAssignment, onlyDescribes, PREFIX_WORDS, programName, resolveInvocation, type Invocation } from './invocation.js';
import { PAYLOAD_PROGRAMS, payloadsOf } from './payloads.js';
import { isDownloader, isRemoteCodeExecution, REMOTE_CODE_PROGRAMS } from './remote-code.js';
import { isDestructiveStatement, isMongoDrop, SQL_PROGRAMS } from './sql.js';
import { isDestructiveSystemCommand, isForkBomb, redirectsIntoSysrq, SYSTEM_PROGRAMS } from './system.js';
import { newCommand, tokenize, type SimpleCommand, type Word } from './tokenize.js';
import { isDestructiveVcs, VCS_PROGRAMS } from './vcs.js';

/** How many times a program handed on (`bash -c`, `eval`, `ssh host …`) is read again inside another. */
export const MAX_PAYLOAD_DEPTH = 4;

type Detector = (inv: Invocation) => boolean;

/** Program → the families (and their detectors) that judge it. */
const DETECTORS = new Map<string, Array<[CommandFamily, Detector]>>();
function register(family: CommandFamily, programs: readonly string[], detect: Detector): void {
  for (const program of programs) {
    const list = DETECTORS.get(program) ?? [];
    list.push([family, detect]);
    DETECTORS.set(program, list);
  }
}
register('vcs', VCS_PROGRAMS, isDestructiveVcs);
register('files', FILE_PROGRAMS, isDestructiveFileCommand);
register('system', SYSTEM_PROGRAMS, isDestructiveSystemCommand);
register('sql', SQL_PROGRAMS, isDestructiveStatement);
register('cloud', CLOUD_PROGRAMS, isDestructiveCloudCommand);

const REMOTE_CODE = new Set(REMOTE_CODE_PROGRAMS);
const PAYLOADS = new Set(PAYLOAD_PROGRAMS);
/** A character that makes a string more than one bare word to a shell. */
const SHELL_SYNTAX = /[\s;&|`$()<>'"\\{}]/;

/** Read for what they write into a pipe (`echo 'rm -rf /' | sh`). */
const FEEDERS = new Set(['echo', 'printf']);

/** The name programs are looked up by: `mkfs.ext4` is `mkfs`. */
export function programKey(name: string): string {
  return name.startsWith('mkfs.') ? 'mkfs' : name;
}

/** Whether a command starting with this word can matter: the tokenizer keeps the other words only then. */
function worthReading(first: Word): boolean {
  const text = first.text;
  if (first.subs !== undefined || STARTERS.has(text)) return true;
  const name = programName(text);
  return STARTERS.has(name) || name.startsWith('mkfs.') || isAssignment(first);
}

const KNOWN_PROGRAMS: ReadonlySet<string> = new Set([...DETECTORS.keys(), ...REMOTE_CODE, ...PAYLOADS]);
/** First words after which a command is worth keeping: known programs, feeders, wrappers and reserved words. */
const STARTERS: ReadonlySet<string> = new Set([...KNOWN_PROGRAMS, ...FEEDERS, ...PREFIX_WORDS]);

/** Whether any family or payload reader cares about this program. */
export function isKnownProgram(name: string): boolean {
  return KNOWN_PROGRAMS.has(programKey(name));
}


/** Commands remembered to pass over exact repeats (see `#repeats`). */
const RECENT = 4;

interface Recent {
  command: SimpleCommand;
  upstream: boolean;
}

export class CommandScan {
  readonly #enabled: EnabledFamilies;
  readonly #found = new Set<CommandFamily>();
  readonly #recent: Recent[] = [];
  #recentNext = 0;
  readonly #wanted: number;
  readonly #meter: Meter | undefined;

  /** With a meter, reading charges it (tokenize.ts) so that the evaluation's deadline can stop a long scan. */
  constructor(enabled: EnabledFamilies, meter?: Meter) {
    this.#enabled = enabled;
    this.#meter = meter;
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
    if (!SHELL_SYNTAX.test(text)) {
      // One bare word (an id, a number, a name): no quotes, operators or spaces to read, so skip the tokenizer.
      if (text.length > 0 && isKnownProgram(programName(text))) this.argv([{ text, quoted: false, subs: undefined }], depth);
      return;
    }
    const downloadingSubstitutions = new Set<number>();
    const onFunction = (name: string): void => this.#defined(name);
    tokenize(text, (command, functions) => {
      if (functions.size > 0) this.#functions(command, functions);
      this.#command(command, depth, downloadingSubstitutions);
    }, { sql, worthReading, onFunction, meter: this.#meter });
  }

  /** One command already split into words (an argv array). */
  argv(words: readonly Word[], depth = 0): void {
    const command = newCommand(-1);
    command.words.push(...words);
    this.#command(command, depth, new Set());
  }

  #functions(command: SimpleCommand, functions: ReadonlySet<string>): void {
    if (this.#wants('system') && isForkBomb(command, functions)) this.#report('system');
  }

  /** A name defined as a function: how the tokenizer reads MongoDB's `db.dropDatabase()`. */
  #defined(name: string): void {
    if (this.#wants('sql') && isMongoDrop(name)) this.#report('sql');
  }

  /** `downloadingSubstitutions`: ids of the script's substitutions whose commands download. */
  #command(command: SimpleCommand, depth: number, downloadingSubstitutions: Set<number>): void {
    if (this.complete()) return;
    if (command.unread && command.redirects.length === 0) {
      // Nobody reads this program; it only passes on what flows through it.
      command.carriesDownload = command.pipeFrom !== undefined && command.pipeFrom.carriesDownload;
      return;
    }
    if (command.redirects.length > 0) {
      if (this.#wants('files') && redirectsIntoDisk(command.redirects)) this.#report('files');
      if (this.#wants('system') && redirectsIntoSysrq(command.redirects)) this.#report('system');
    }
    const upstream = command.pipeFrom !== undefined && command.pipeFrom.carriesDownload;
    const repeated = this.#repeats(command, upstream);
    if (repeated !== undefined) {
      command.carriesDownload = repeated.carriesDownload;
      return;
    }
    const inv = resolveInvocation(command, isKnownProgram);
    const downloading = inv !== undefined && isDownloader(inv);
    command.carriesDownload = downloading || upstream;
    if (command.sub >= 0 && (downloading || holdsSubstitution(command.words, downloadingSubstitutions))) {
      downloadingSubstitutions.add(command.sub);
    }
    if (inv === undefined || onlyDescribes(inv.args)) return;
    this.#invocation(inv, depth, upstream, downloadingSubstitutions);
  }

  /**
   * One of the last few commands read, word for word, in the same situation (same upstream download, nothing but
   * plain words): reading it again cannot find anything new, so hostile input made of one command repeated costs a
   * comparison per repeat. Returns the earlier command, or undefined (and remembers this one).
   */
  #repeats(command: SimpleCommand, upstream: boolean): SimpleCommand | undefined {
    if (command.redirects.length > 0 || command.stdin.length > 0 || command.sub >= 0) return undefined;
    const words = command.words;
    for (const word of words) if (word.subs !== undefined) return undefined;
    for (const recent of this.#recent) {
      if (recent.upstream === upstream && sameWords(recent.command.words, words)) return recent.command;
    }
    const entry = { command, upstream };
    if (this.#recent.length < RECENT) this.#recent.push(entry);
    else this.#recent[this.#recentNext] = entry;
    this.#recentNext = (this.#recentNext + 1) % RECENT;
    return undefined;
  }

  #invocation(inv: Invocation, depth: number, upstream: boolean, downloadingSubstitutions: ReadonlySet<number>): void {
    const key = programKey(inv.name);
    for (const [family, detect] of DETECTORS.get(key) ?? []) {
      if (this.#wants(family) && detect(inv)) this.#report(family);
    }
    if (REMOTE_CODE.has(key) && this.#wants('remoteCode') && isRemoteCodeExecution(inv, upstream, downloadingSubstitutions)) {
      this.#report('remoteCode');
    }
    if (depth >= MAX_PAYLOAD_DEPTH || !PAYLOADS.has(key) || this.complete()) return;
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

function sameWords(a: readonly Word[], b: readonly Word[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    if (a[k]!.text !== b[k]!.text || a[k]!.quoted !== b[k]!.quoted) return false;
  }
  return true;
}

function holdsSubstitution(words: readonly Word[], ids: ReadonlySet<number>): boolean {
  if (ids.size === 0) return false;
  return words.some((w) => w.subs !== undefined && w.subs.some((id) => ids.has(id)));
}
