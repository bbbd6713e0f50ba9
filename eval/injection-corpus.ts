/**
 * False alarms of the `injection` gate on real developer prose and code nobody tuned it to: the README.md files and
 * the .js/.ts sources under the repository's own `node_modules/`, beside `@andersmyrmel/vard` (strict and moderate
 * presets, as in injection.ts) on the same files.
 *
 *   node --conditions=development --import tsx eval/injection-corpus.ts [--list]
 *
 * Every file counts as one negative (each is read whole, up to MAX_FILE_CHARS, as a single tool output). Files are
 * collected in sorted directory order (deterministic for a given install) up to MAX_READMES and MAX_SOURCES, so the
 * run is bounded. `--list` prints each flagged file with the rule ids that fired (never the matched text).
 *
 * A second section reads benign texts of the other labelled files as negatives: the 1,350 XSTest model completions
 * (answers, refusals, lectures) and the 1,500 presidio synthetic sentences (personal data in prose).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vard from '@andersmyrmel/vard';
import { injection, type InjectionDetails } from '../packages/core/src/gates/injection.js';
import { DETECTORS, type Detector } from './injection.js';
import { csvObjects, REFUSAL_FILES } from './refusal.js';
import { defaultEvalDir } from './scoring.js';

export const MAX_READMES = 1500;
export const MAX_SOURCES = 3000;
export const MAX_FILE_CHARS = 200_000;

const ROOT = fileURLToPath(new URL('../node_modules/', import.meta.url));
const SOURCE = /\.(?:js|mjs|cjs|ts|mts|cts)$/;

export interface CorpusFile {
  path: string;
  type: 'readme' | 'source';
}

/** README.md and source files under `root`, sorted, at most the bounds above (symlinked packages are skipped). */
export async function collectCorpus(root = ROOT): Promise<CorpusFile[]> {
  const readmes: CorpusFile[] = [];
  const sources: CorpusFile[] = [];
  const pending = [root];
  while (pending.length > 0 && (readmes.length < MAX_READMES || sources.length < MAX_SOURCES)) {
    const dir = pending.shift()!;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (!entry.isFile()) continue;
      else if (entry.name.toLowerCase() === 'readme.md' && readmes.length < MAX_READMES) readmes.push({ path, type: 'readme' });
      else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') && sources.length < MAX_SOURCES) {
        sources.push({ path, type: 'source' });
      }
    }
  }
  return [...readmes, ...sources];
}

type CorpusType = CorpusFile['type'] | 'xstest completion' | 'presidio sentence';

/** Benign texts from the other eval files (see the header). */
export async function otherBenignTexts(dataDir = defaultEvalDir()): Promise<{ type: CorpusType; text: string }[]> {
  const out: { type: CorpusType; text: string }[] = [];
  for (const file of REFUSAL_FILES) {
    for (const row of csvObjects(await readFile(join(dataDir, file), 'utf8'))) {
      out.push({ type: 'xstest completion', text: row.completion ?? '' });
    }
  }
  const synth = JSON.parse(await readFile(join(dataDir, 'pii-presidio-synth-v2.json'), 'utf8')) as { full_text: string }[];
  for (const record of synth) out.push({ type: 'presidio sentence', text: record.full_text });
  return out;
}

export interface CorpusReport {
  files: Partial<Record<CorpusType, { total: number } & Record<Detector, number>>>;
  flagged: { path: string; rules: string[] }[];
  /** Mean time of the gate per node_modules file or text. */
  pectaMsPerFile: number;
}

export async function evaluateCorpus(): Promise<CorpusReport> {
  const files: { type: CorpusType; path?: string; text?: string }[] = [...(await collectCorpus()), ...(await otherBenignTexts())];
  const gate = injection();
  const strict = vard.strict().maxLength(Number.MAX_SAFE_INTEGER);
  const moderate = vard.moderate().maxLength(Number.MAX_SAFE_INTEGER);
  const never = new AbortController().signal;
  const report: CorpusReport = {
    files: {},
    flagged: [],
    pectaMsPerFile: 0,
  };
  let pectaMs = 0;
  for (const file of files) {
    const text = file.text ?? (await readFile(file.path!, 'utf8')).slice(0, MAX_FILE_CHARS);
    const counts = (report.files[file.type] ??= { total: 0, pecta: 0, 'vard strict': 0, 'vard moderate': 0 });
    counts.total++;
    const started = performance.now();
    const outcome = await gate.run({ agent_id: 'eval', output: text }, never);
    pectaMs += performance.now() - started;
    if (!outcome.passed) {
      counts.pecta++;
      const where = file.path === undefined ? file.type : relative(ROOT, file.path);
      report.flagged.push({ path: where, rules: (outcome.details as InjectionDetails).rules });
    }
    if (!strict.safeParse(text).safe) counts['vard strict']++;
    if (!moderate.safeParse(text).safe) counts['vard moderate']++;
  }
  report.pectaMsPerFile = pectaMs / files.length;
  return report;
}

const pct = (n: number, total: number) => `${((100 * n) / Math.max(1, total)).toFixed(2)}%`;

export function formatCorpusReport(report: CorpusReport): string {
  const lines = ['Injection false alarms on benign text: node_modules README.md and .js/.ts files, other eval files'];
  const sum: { total: number } & Record<Detector, number> = { total: 0, pecta: 0, 'vard strict': 0, 'vard moderate': 0 };
  const line = (label: string, c: { total: number } & Record<Detector, number>) =>
    `  ${label.padEnd(18)} ${String(c.total).padStart(5)}  ${DETECTORS.map((d) => `${d} ${`${c[d]} (${pct(c[d], c.total)})`.padEnd(13)}`).join(' ')}`;
  for (const [type, c] of Object.entries(report.files)) {
    lines.push(line(type, c));
    if (type === 'readme' || type === 'source') {
      sum.total += c.total;
      for (const d of DETECTORS) sum[d] += c[d];
    }
  }
  lines.push(line('node_modules files', sum));
  lines.push(`  pecta ${report.pectaMsPerFile.toFixed(3)} ms per file or text`);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = await evaluateCorpus();
  console.log(formatCorpusReport(report));
  if (process.argv.includes('--list')) {
    for (const file of report.flagged) console.log(`  ${file.path}  ${file.rules.join(',')}`);
  }
}
