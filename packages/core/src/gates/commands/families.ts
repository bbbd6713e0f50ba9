import { booleanOption } from '../options.js';

/**
 * The families of the `commands` gate, defined once: the option that switches each, and the words its reason uses.
 * A reason names families only, never the command that matched (the data boundary).
 */

export const COMMAND_FAMILIES = ['vcs', 'files', 'system', 'remoteCode', 'sql', 'cloud'] as const;

export type CommandFamily = (typeof COMMAND_FAMILIES)[number];

export const COMMAND_FAMILY_LABEL: Readonly<Record<CommandFamily, string>> = {
  vcs: 'destructive version-control command',
  files: 'destructive file or disk command',
  system: 'destructive system command',
  remoteCode: 'remote code execution',
  sql: 'destructive database statement',
  cloud: 'destructive container or cloud command',
};

/** Which families a scan reports; a disabled family is never looked for. */
export type EnabledFamilies = Readonly<Record<CommandFamily, boolean>>;

/** "a", "a and b", "a, b and c". */
export function describeCommandFamilies(families: readonly CommandFamily[]): string {
  const labels = families.map((family) => COMMAND_FAMILY_LABEL[family]);
  if (labels.length === 1) return labels[0]!;
  return `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)!}`;
}

/** One switch per family, each defaulting to on. */
export type FamilyOptions = { [F in CommandFamily]?: boolean };

const FAMILY_SET: ReadonlySet<string> = new Set(COMMAND_FAMILIES);

/** Validates family switches (unknown keys and non-booleans throw) and applies the defaults. */
export function enabledFamilies(options: FamilyOptions | undefined, label: string): EnabledFamilies {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new TypeError(`${label}: options must be an object`);
  }
  for (const key of Object.keys(options ?? {})) {
    if (!FAMILY_SET.has(key)) throw new TypeError(`${label}: unknown option "${key}"`);
  }
  const enabled = Object.fromEntries(
    COMMAND_FAMILIES.map((family) => [family, booleanOption(options?.[family], true, `${label}: ${family}`)]),
  ) as Record<CommandFamily, boolean>;
  if (!COMMAND_FAMILIES.some((family) => enabled[family])) throw new TypeError(`${label}: at least one family must be enabled`);
  return Object.freeze(enabled);
}
