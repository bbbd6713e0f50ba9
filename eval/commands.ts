/**
 * Measures the `commands` gate (issue #13 item 5, docs/quality.md).
 *
 *   node --conditions=development --import tsx eval/commands.ts [--errors]
 *
 * - Dev: `commands-dcg.jsonl` (../shared/eval, dcg's test corpus): positive = `source_verdict` "deny"; prediction =
 *   `evaluateCommand(command).destructive`. Scored overall, per dcg corpus file and per family.
 * - Held-out: `eval/data/commands-dcg-heldout.jsonl`, newer dcg corpus files that are not in the dev file
 *   (cross-pack controls and false positives, databricks), copied after the detectors were written; see
 *   docs/quality.md for what was seen when.
 * - False alarms: every README under the repository's own `node_modules/` (sorted by path, at most MAX_FILES, each
 *   read up to FILE_BYTES), run through the gate as one output each; a flagged README is a false alarm. The same
 *   for its source and Markdown files (`.js` `.mjs` `.cjs` `.ts` `.md`): code and docs, where a flag is a false
 *   alarm unless the file really holds a destructive command (listed with --errors to check by hand).
 *
 * `--errors` lists the misclassified records with their command (dataset text) and the README paths flagged.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { commands, evaluateCommand, type CommandsDetails } from '../packages/core/src/gates/commands/index.js';
import { COMMAND_FAMILIES, type CommandFamily } from '../packages/core/src/gates/commands/families.js';
import { defaultEvalDir, emptyConfusion, score, tally, type Confusion, type Scores } from './scoring.js';

export const COMMANDS_FILE = 'commands-dcg.jsonl';
export const HELD_OUT_FILE = fileURLToPath(new URL('./data/commands-dcg-heldout.jsonl', import.meta.url));
export const MAX_FILES = 10_000;
export const FILE_BYTES = 256 * 1024;

interface CommandRecord {
  id: string;
  command: string;
  source_verdict: 'deny' | 'allow';
  source_file: string;
}

export interface CommandError {
  id: string;
  kind: 'FP' | 'FN';
  families: CommandFamily[];
  command: string;
}

export interface SetReport {
  file: string;
  records: number;
  overall: Scores;
  /** Per dcg corpus file (without the `tests/corpus/` prefix). */
  bySource: Array<{ source: string; scores: Scores }>;
  /** Per family the gate named: how many records it named it on, and how many of those dcg denies. */
  byFamily: Array<{ family: CommandFamily; flagged: number; deny: number }>;
  recordsPerSecond: number;
  errors: CommandError[];
}

export interface CorpusReport {
  label: string;
  files: number;
  flagged: number;
  byFamily: Partial<Record<CommandFamily, number>>;
  paths: string[];
  filesPerSecond: number;
}

export interface CommandsReport {
  dev: SetReport;
  heldOut: SetReport;
  corpora: CorpusReport[];
}

async function loadRecords(path: string): Promise<CommandRecord[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as CommandRecord);
}

function sourceOf(record: CommandRecord): string {
  return record.source_file.replace(/^tests\/corpus\//, '').replace(/\.toml$/, '');
}

export function scoreSet(file: string, records: readonly CommandRecord[]): SetReport {
  const overall = emptyConfusion();
  const bySource = new Map<string, Confusion>();
  const flagged = new Map<CommandFamily, { flagged: number; deny: number }>();
  const errors: CommandError[] = [];
  const started = performance.now();
  const verdicts = records.map((record) => evaluateCommand(record.command));
  const seconds = (performance.now() - started) / 1000;
  for (const [k, record] of records.entries()) {
    const verdict = verdicts[k]!;
    const actual = record.source_verdict === 'deny';
    tally(overall, actual, verdict.destructive);
    const source = sourceOf(record);
    if (!bySource.has(source)) bySource.set(source, emptyConfusion());
    tally(bySource.get(source)!, actual, verdict.destructive);
    for (const family of verdict.families) {
      const entry = flagged.get(family) ?? { flagged: 0, deny: 0 };
      entry.flagged++;
      if (actual) entry.deny++;
      flagged.set(family, entry);
    }
    if (actual !== verdict.destructive) {
      errors.push({ id: record.id, kind: actual ? 'FN' : 'FP', families: verdict.families, command: record.command });
    }
  }
  return {
    file,
    records: records.length,
    overall: score(overall),
    bySource: [...bySource.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([source, c]) => ({ source, scores: score(c) })),
    byFamily: COMMAND_FAMILIES.filter((f) => flagged.has(f)).map((family) => ({ family, ...flagged.get(family)! })),
    recordsPerSecond: records.length / Math.max(seconds, 1e-9),
    errors,
  };
}

const README = /^readme(?:\.[a-z]+)?$/i;
const SOURCE_OR_DOCS = /\.(?:js|mjs|cjs|ts|md)$/;

/** Files under `root` (any depth) whose name matches, sorted by path, at most MAX_FILES. */
async function corpusPaths(root: string, name: RegExp): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const paths = entries.filter((e) => e.isFile() && name.test(e.name)).map((e) => join(e.parentPath, e.name));
  return paths.sort().slice(0, MAX_FILES);
}

export async function scoreCorpus(label: string, root: string, name: RegExp): Promise<CorpusReport> {
  const gate = commands();
  const signal = new AbortController().signal;
  const paths = await corpusPaths(root, name);
  const texts = await Promise.all(paths.map(async (path) => (await readFile(path, 'utf8')).slice(0, FILE_BYTES)));
  const byFamily: Partial<Record<CommandFamily, number>> = {};
  const flaggedPaths: string[] = [];
  const started = performance.now();
  for (const [k, output] of texts.entries()) {
    const outcome = await gate.run({ agent_id: 'eval', output }, signal);
    if (outcome.passed) continue;
    flaggedPaths.push(paths[k]!);
    for (const family of (outcome.details as CommandsDetails).families) byFamily[family] = (byFamily[family] ?? 0) + 1;
  }
  const seconds = (performance.now() - started) / 1000;
  return { label, files: paths.length, flagged: flaggedPaths.length, byFamily, paths: flaggedPaths, filesPerSecond: paths.length / Math.max(seconds, 1e-9) };
}

export async function evaluateCommands(dataDir: string = defaultEvalDir()): Promise<CommandsReport> {
  const root = fileURLToPath(new URL('../node_modules/', import.meta.url));
  return {
    dev: scoreSet(COMMANDS_FILE, await loadRecords(join(dataDir, COMMANDS_FILE))),
    heldOut: scoreSet('eval/data/commands-dcg-heldout.jsonl', await loadRecords(HELD_OUT_FILE)),
    corpora: [
      await scoreCorpus('READMEs', root, README),
      await scoreCorpus('source and Markdown files (.js .mjs .cjs .ts .md)', root, SOURCE_OR_DOCS),
    ],
  };
}

const f3 = (x: number) => x.toFixed(3);

function scoreLine(label: string, s: Scores): string {
  return `  ${label.padEnd(42)} P ${f3(s.precision)}  R ${f3(s.recall)}  F1 ${f3(s.f1)}   (tp ${s.tp}, fp ${s.fp}, fn ${s.fn}, tn ${s.tn})`;
}

function formatSet(title: string, r: SetReport): string[] {
  const lines = [`${title}: ${r.file}, ${r.records} records, ${r.overall.tp + r.overall.fn} deny (${Math.round(r.recordsPerSecond)} records/s)`];
  lines.push(scoreLine('commands gate', r.overall), '', '  per dcg corpus file:');
  for (const { source, scores } of r.bySource) lines.push(scoreLine(source, scores));
  lines.push('', '  per family named: records flagged with it / of which dcg denies');
  for (const f of r.byFamily) lines.push(`  ${f.family.padEnd(12)} ${String(f.flagged).padStart(4)} / ${f.deny}`);
  return lines;
}

function formatCorpus(c: CorpusReport): string {
  const share = c.files === 0 ? 0 : (100 * c.flagged) / c.files;
  const families = Object.entries(c.byFamily).map(([f, n]) => `${f} ${n}`).join(', ');
  return `False alarms, ${c.label} under node_modules/: ${c.flagged} of ${c.files} flagged (${share.toFixed(2)}%)${families ? `: ${families}` : ''} (${Math.round(c.filesPerSecond)} files/s)`;
}

export function formatCommandsReport(r: CommandsReport): string {
  return [
    'Destructive commands (positive = dcg source_verdict "deny")',
    '',
    ...formatSet('Dev', r.dev),
    '',
    ...formatSet('Held-out', r.heldOut),
    '',
    ...r.corpora.map(formatCorpus),
  ].join('\n');
}

function formatErrors(r: CommandsReport): string {
  const list = (set: SetReport) => set.errors.map((e) => `  ${e.id} [${e.kind}${e.families.length ? ` ${e.families.join('+')}` : ''}] ${JSON.stringify(e.command)}`);
  return [
    `Dev misclassified (${r.dev.errors.length}):`,
    ...list(r.dev),
    `Held-out misclassified (${r.heldOut.errors.length}):`,
    ...list(r.heldOut),
    ...r.corpora.flatMap((c) => [`${c.label} flagged (${c.paths.length}):`, ...c.paths.map((p) => `  ${p}`)]),
  ].join('\n');
}

async function main(): Promise<void> {
  const report = await evaluateCommands();
  console.log(formatCommandsReport(report));
  if (process.argv.includes('--errors')) console.log(`\n${formatErrors(report)}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
