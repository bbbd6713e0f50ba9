/**
 * Measures the `injection` gate on `injection-dev.jsonl` (tool outputs and tool descriptions, label 1 = prompt
 * injection / tool poisoning) beside `@andersmyrmel/vard` (moderate preset), the same records in one run.
 *
 *   node --conditions=development --import tsx eval/injection.ts [--errors]
 *
 * The rules were written from the development split only; the held-out split was scored once the rules were
 * settled. Split: records are grouped by their inserted attack string (or, without one, by the carrier they came
 * from), and a group is held out when the FNV-1a hash of its key is 0 mod 3, so an attack never sits on both sides.
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
  pecta: { caught: number; falseAlarms: number };
  vard: { caught: number; falseAlarms: number };
}

interface Counts {
  pecta: Confusion;
  vard: Confusion;
}

export interface InjectionReport {
  dataDir: string;
  records: number;
  splits: Record<Split | 'all', { pecta: Scores; vard: Scores }>;
  /** Per source: records of each label, and how many of each the detectors flagged. */
  bySource: ({ source: string } & SourceCounts)[];
  byKind: Record<string, { pecta: Scores; vard: Scores }>;
  /** Positives caught per evidence kind (a record can count for several). */
  kindHits: Record<string, number>;
  pectaRecordsPerSecond: number;
  vardRecordsPerSecond: number;
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

const newCounts = (): Counts => ({ pecta: emptyConfusion(), vard: emptyConfusion() });
const scored = (c: Counts) => ({ pecta: score(c.pecta), vard: score(c.vard) });

export async function evaluateInjection(dataDir = defaultEvalDir()): Promise<InjectionReport> {
  const records = await loadInjectionRecords(dataDir);
  const gate = injection();
  const peer = vard.moderate().maxLength(Number.MAX_SAFE_INTEGER);
  const never = new AbortController().signal;

  const pectaVerdicts: { failed: boolean; details?: InjectionDetails }[] = [];
  let started = performance.now();
  for (const record of records) {
    const outcome = await gate.run({ agent_id: 'eval', output: record.text }, never);
    pectaVerdicts.push({ failed: !outcome.passed, details: outcome.details as InjectionDetails | undefined });
  }
  const pectaSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const vardVerdicts = records.map((record) => !peer.safeParse(record.text).safe);
  const vardSeconds = (performance.now() - started) / 1000;

  const splits = { development: newCounts(), 'held-out': newCounts(), all: newCounts() };
  const byKind: Record<string, Counts> = {};
  const bySource = new Map<string, SourceCounts>();
  const kindHits: Record<string, number> = Object.fromEntries(INJECTION_KINDS.map((kind) => [kind, 0]));
  const errors: InjectionReport['errors'] = [];
  records.forEach((record, i) => {
    const actual = record.label === 1;
    const pecta = pectaVerdicts[i]!;
    const peerFailed = vardVerdicts[i]!;
    const split = splitOf(record);
    for (const counts of [splits[split], splits.all, (byKind[record.kind] ??= newCounts())]) {
      tally(counts.pecta, actual, pecta.failed);
      tally(counts.vard, actual, peerFailed);
    }
    const source = bySource.get(record.source) ?? {
      positives: 0,
      negatives: 0,
      pecta: { caught: 0, falseAlarms: 0 },
      vard: { caught: 0, falseAlarms: 0 },
    };
    if (actual) source.positives++;
    else source.negatives++;
    const field = actual ? 'caught' : 'falseAlarms';
    if (pecta.failed) source.pecta[field]++;
    if (peerFailed) source.vard[field]++;
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
    pectaRecordsPerSecond: records.length / pectaSeconds,
    vardRecordsPerSecond: records.length / vardSeconds,
    errors,
  };
}

const f3 = (n: number) => n.toFixed(3);
const row = (label: string, s: Scores) =>
  `  ${label.padEnd(28)} P ${f3(s.precision)}  R ${f3(s.recall)}  F1 ${f3(s.f1)}  (tp ${s.tp} fp ${s.fp} fn ${s.fn} tn ${s.tn})`;

export function formatInjectionReport(report: InjectionReport): string {
  const lines = [`Injection (${INJECTION_FILE}, ${report.records} records, ${report.dataDir})`];
  for (const [split, s] of Object.entries(report.splits)) {
    lines.push(row(`pecta ${split}`, s.pecta), row(`vard  ${split}`, s.vard));
  }
  lines.push('  by record kind:');
  for (const [kind, s] of Object.entries(report.byKind)) {
    lines.push(row(`pecta ${kind}`, s.pecta), row(`vard  ${kind}`, s.vard));
  }
  const positives = report.splits.all.pecta.tp + report.splits.all.pecta.fn;
  lines.push(`  positives caught per evidence kind (of ${positives}; a record can show several):`);
  lines.push(`    ${Object.entries(report.kindHits).map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
  lines.push('  by source (positives caught / positives, false alarms / negatives):');
  for (const s of report.bySource) {
    const part = (d: SourceCounts['pecta']) =>
      [s.positives > 0 ? `${d.caught}/${s.positives}` : '', s.negatives > 0 ? `fa ${d.falseAlarms}/${s.negatives}` : '']
        .filter((x) => x.length > 0)
        .join(' ');
    lines.push(`    ${s.source.padEnd(36)} pecta ${part(s.pecta).padEnd(18)} vard ${part(s.vard)}`);
  }
  lines.push(
    `  speed: pecta ${Math.round(report.pectaRecordsPerSecond)} records/s, vard ${Math.round(report.vardRecordsPerSecond)} records/s`,
  );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = await evaluateInjection();
  console.log(formatInjectionReport(report));
  if (process.argv.includes('--errors')) {
    for (const error of report.errors) console.log(`  ${error.label === 1 ? 'missed' : 'false alarm'} ${error.id} ${error.source}`);
  }
}
