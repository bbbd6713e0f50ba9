/**
 * One command, judged on its own: what the proxy runs on a tool call's command argument (issue #14) and what the
 * `commands` gate runs on every string of an output.
 */
import { enabledFamilies, type CommandFamily, type FamilyOptions } from './families.js';
import { CommandScan } from './scan.js';

export interface CommandVerdict {
  /** At least one enabled family matched. */
  destructive: boolean;
  /** The families that matched, in a fixed order; never any of the command's text. */
  families: CommandFamily[];
}

function verdictOf(scan: CommandScan): CommandVerdict {
  const families = scan.families();
  return { destructive: families.length > 0, families };
}

/** Judges a command line or script as a shell would run it (quotes, substitutions, here-documents, `bash -c`). */
export function evaluateCommand(command: string, options?: FamilyOptions): CommandVerdict {
  const scan = new CommandScan(enabledFamilies(options, 'evaluateCommand'));
  scan.script(command);
  return verdictOf(scan);
}

/** Judges an argv array (`["git", "push", "--force"]`): each element is one word, nothing is re-split. */
export function evaluateArgv(argv: readonly string[], options?: FamilyOptions): CommandVerdict {
  const scan = new CommandScan(enabledFamilies(options, 'evaluateArgv'));
  // Each element is a whole word as the program receives it: nothing to unquote, and a lone word is still a command.
  scan.argv(argv.map((text) => ({ text, quoted: false, subs: undefined })));
  return verdictOf(scan);
}
