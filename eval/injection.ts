/**
 * Measures the `injection` gate on `injection-dev.jsonl` (tool outputs and tool descriptions, label 1 = prompt
 * injection / tool poisoning) beside `@andersmyrmel/vard`, the same records in one run. vard is run with its
 * `strict` preset (threshold 0.5, its best F1 here) and its default `moderate` one (0.7); `lenient` flags nothing.
 * Its 10,000-character input limit is lifted so that long documents are judged rather than refused.
 *
 *   node --conditions=development --import tsx eval/injection.ts [--errors]
 *
 * The rules were written by reading the development split's records and errors only; the held-out split's score is
 * printed in every run (from the first one on) but its records were never read and no rule was written from it.
 * Split: records are grouped by their inserted attack string (or, without one, by the carrier they came from), and
 * a group is held out when the FNV-1a hash of its key is 0 mod 3, so an attack never sits on both sides.
 * Templated attacks (garak's separator × instruction × payload) share instructions across groups, so the held-out
 * split is closer to "new combinations" than to "new attacks"; per-source numbers show where that matters.
 * `--errors` lists the misclassified records of the development split (id and source only).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import vard from '@andersmyrmel/vard';
import { injection } from '../packages/core/src/gates/injection.js';
import { INJECTION_KINDS } from '../packages/core/src/gates/injection/kinds.js';
import type { InjectionDetails } from '../packages/core/src/gates/injection.js';
import { defaultEvalDir, emptyConfusion, score, tally, type Confusion, type Scores } from './scoring.js';

export const INJECTION_FILE = 'injection-dev.jsonl';

export interface InjectionRecord {
  id: string;
  text: string;
  label: 0 | 1;
  kind: 'tool_output' | 'tool_description';
  source: string;
  attack?: string;
  clean_id?: string;
}

export type Split = 'development' | 'held-out';

interface SourceCounts {
  positives: number;
  negatives: number;
  by: Record<Detector, { caught: number; falseAlarms: number }>;
}

/** The detectors compared, in report order. */
export const DETECTORS = ['pecta', 'vard strict', 'vard moderate'] as const;
export type Detector = (typeof DETECTORS)[number];

type Counts = Record<Detector, Confusion>;

export interface InjectionReport {
  dataDir: string;
  records: number;
  splits: Record<Split | 'all', Record<Detector, Scores>>;
  /** Per source: records of each label, and how many of each the detectors flagged. */
  bySource: ({ source: string } & SourceCounts)[];
  byKind: Record<string, Record<Detector, Scores>>;
  /** Positives caught per evidence kind (a record can count for several). */
  kindHits: Record<string, number>;
  recordsPerSecond: Record<Detector, number>;
  errors: { id: string; source: string; label: number }[];
}

/** FNV-1a over the UTF-8 bytes of `key`. */
export function fnv1a(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function splitOf(record: InjectionRecord): Split {
  const key = record.attack ? `attack:${record.attack}` : `id:${record.clean_id ?? record.id}`;
  return fnv1a(key) % 3 === 0 ? 'held-out' : 'development';
}

export async function loadInjectionRecords(dataDir = defaultEvalDir()): Promise<InjectionRecord[]> {
  const text = await readFile(join(dataDir, INJECTION_FILE), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as InjectionRecord);
}

const newCounts = (): Counts => Object.fromEntries(DETECTORS.map((d) => [d, emptyConfusion()])) as Counts;
const scored = (c: Counts) => Object.fromEntries(DETECTORS.map((d) => [d, score(c[d])])) as Record<Detector, Scores>;

/** Runs `detect` on every record; returns the verdicts and the records per second. */
async function timed<T>(records: readonly InjectionRecord[], detect: (text: string) => Promise<T> | T) {
  const verdicts: T[] = [];
  const started = performance.now();
  for (const record of records) verdicts.push(await detect(record.text));
  return { verdicts, perSecond: records.length / ((performance.now() - started) / 1000) };
}

export async function evaluateInjection(dataDir = defaultEvalDir()): Promise<InjectionReport> {
  const records = await loadInjectionRecords(dataDir);
  const gate = injection();
  const never = new AbortController().signal;
  const strict = vard.strict().maxLength(Number.MAX_SAFE_INTEGER);
  const moderate = vard.moderate().maxLength(Number.MAX_SAFE_INTEGER);
  const pectaRun = await timed(records, async (text) => {
    const outcome = await gate.run({ agent_id: 'eval', output: text }, never);
    return { failed: !outcome.passed, details: outcome.details as InjectionDetails | undefined };
  });
  const strictRun = await timed(records, (text) => !strict.safeParse(text).safe);
  const moderateRun = await timed(records, (text) => !moderate.safeParse(text).safe);

  const splits = { development: newCounts(), 'held-out': newCounts(), all: newCounts() };
  const byKind: Record<string, Counts> = {};
  const bySource = new Map<string, SourceCounts>();
  const kindHits: Record<string, number> = Object.fromEntries(INJECTION_KINDS.map((kind) => [kind, 0]));
  const errors: InjectionReport['errors'] = [];
  records.forEach((record, i) => {
    const actual = record.label === 1;
    const pecta = pectaRun.verdicts[i]!;
    const flagged: Record<Detector, boolean> = {
      pecta: pecta.failed,
      'vard strict': strictRun.verdicts[i]!,
      'vard moderate': moderateRun.verdicts[i]!,
    };
    const split = splitOf(record);
    for (const counts of [splits[split], splits.all, (byKind[record.kind] ??= newCounts())]) {
      for (const d of DETECTORS) tally(counts[d], actual, flagged[d]);
    }
    const source = bySource.get(record.source) ?? {
      positives: 0,
      negatives: 0,
      by: Object.fromEntries(DETECTORS.map((d) => [d, { caught: 0, falseAlarms: 0 }])) as SourceCounts['by'],
    };
    if (actual) source.positives++;
    else source.negatives++;
    const field = actual ? 'caught' : 'falseAlarms';
    for (const d of DETECTORS) if (flagged[d]) source.by[d][field]++;
    bySource.set(record.source, source);
    if (actual && pecta.failed) for (const kind of pecta.details?.kinds ?? []) kindHits[kind]!++;
    if (split === 'development' && actual !== pecta.failed) {
      errors.push({ id: record.id, source: record.source, label: record.label });
    }
  });
  return {
    dataDir,
    records: records.length,
    splits: {
      development: scored(splits.development),
      'held-out': scored(splits['held-out']),
      all: scored(splits.all),
    },
    bySource: [...bySource.entries()].map(([source, s]) => ({ source, ...s })).sort((a, b) => a.source.localeCompare(b.source)),
    byKind: Object.fromEntries(Object.entries(byKind).map(([kind, c]) => [kind, scored(c)])),
    kindHits,
    recordsPerSecond: { pecta: pectaRun.perSecond, 'vard strict': strictRun.perSecond, 'vard moderate': moderateRun.perSecond },
    errors,
  };
}

const f3 = (n: number) => n.toFixed(3);
const row = (label: string, s: Scores) =>
  `  ${label.padEnd(34)} P ${f3(s.precision)}  R ${f3(s.recall)}  F1 ${f3(s.f1)}  (tp ${s.tp} fp ${s.fp} fn ${s.fn} tn ${s.tn})`;

export function formatInjectionReport(report: InjectionReport): string {
  const lines = [`Injection (${INJECTION_FILE}, ${report.records} records, ${report.dataDir})`];
  for (const [split, s] of Object.entries(report.splits)) {
    for (const d of DETECTORS) lines.push(row(`${d} ${split}`, s[d]));
  }
  lines.push('  by record kind:');
  for (const [kind, s] of Object.entries(report.byKind)) {
    for (const d of DETECTORS) lines.push(row(`${d} ${kind}`, s[d]));
  }
  const positives = report.splits.all.pecta.tp + report.splits.all.pecta.fn;
  lines.push(`  positives caught per evidence kind (of ${positives}; a record can show several):`);
  lines.push(`    ${Object.entries(report.kindHits).map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
  lines.push('  by source (positives caught / positives, false alarms / negatives):');
  for (const s of report.bySource) {
    const part = (d: Detector) =>
      [s.positives > 0 ? `${s.by[d].caught}/${s.positives}` : '', s.negatives > 0 ? `fa ${s.by[d].falseAlarms}/${s.negatives}` : '']
        .filter((x) => x.length > 0)
        .join(' ');
    lines.push(`    ${s.source.padEnd(34)} ${DETECTORS.map((d) => `${d} ${part(d).padEnd(16)}`).join(' ')}`);
  }
  lines.push(`  speed (records/s): ${DETECTORS.map((d) => `${d} ${Math.round(report.recordsPerSecond[d])}`).join(', ')}`);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = await evaluateInjection();
  console.log(formatInjectionReport(report));
  if (process.argv.includes('--errors')) {
    for (const error of report.errors) console.log(`  ${error.label === 1 ? 'missed' : 'false alarm'} ${error.id} ${error.source}`);
  }
}
