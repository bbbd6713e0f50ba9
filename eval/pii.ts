/**
 * Measures the `pii` gate on presidio-research's synthetic PII set (MIT): 1,500 texts with labelled spans.
 *
 *   node --conditions=development --import tsx eval/pii.ts [--errors]
 *
 * A record is positive when it holds a span of a type the gate claims (e-mail, phone, US SSN, card, IBAN, IP);
 * the prediction is the gate failing `full_text`. Everything else in the data (names, street addresses, dates, ZIP
 * codes, domains, driver licences…) counts as negative. Besides the record-level verdict, each type is scored on
 * its own from `details.types` (did the gate name that type?). The data directory defaults to ../../shared/eval/
 * next to the repository and can be moved with PECTA_EVAL_DIR. `--errors` lists misclassified records with their
 * text (dataset text, never anything the gate produced).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pii, type PiiDetails, type PiiType } from '../packages/core/src/gates/pii.js';
import { defaultEvalDir, emptyConfusion, score, tally, type Scores } from './scoring.js';
export { defaultEvalDir, score, type Confusion, type Scores } from './scoring.js';

export const PII_FILE = 'pii-presidio-synth-v2.json';

/** Dataset entity type → the gate's type name, for the types the gate claims. */
export const CLAIMED_TYPES: Readonly<Record<string, PiiType>> = {
  EMAIL_ADDRESS: 'email',
  PHONE_NUMBER: 'phone',
  US_SSN: 'ssn',
  CREDIT_CARD: 'card',
  IBAN_CODE: 'iban',
  IP_ADDRESS: 'ip',
};

interface Span {
  entity_type: string;
  entity_value: string;
  start_position: number;
  end_position: number;
}

interface PiiRecord {
  full_text: string;
  spans: Span[];
}

export interface TypeReport {
  /** Dataset entity type, e.g. PHONE_NUMBER. */
  entity: string;
  type: PiiType;
  /** Records holding at least one span of this type. */
  records: number;
  /** Share of those records the gate failed (for any reason): the record-level recall per type. */
  recall: number;
  /** The type scored on its own: did the gate name this type (details.types) where the data has it? */
  strict: Scores;
}

export interface PiiError {
  index: number;
  actual: string[];
  predicted: PiiType[];
  text: string;
}

export interface PiiReport {
  dataDir: string;
  records: number;
  positives: number;
  overall: Scores;
  types: TypeReport[];
  /** Negative records the gate failed, counted by the span types they hold (what the false positives were). */
  falsePositiveEntities: Record<string, number>;
  errors: PiiError[];
}



export async function loadPiiRecords(dataDir: string = defaultEvalDir()): Promise<PiiRecord[]> {
  const parsed: unknown = JSON.parse(await readFile(join(dataDir, PII_FILE), 'utf8'));
  if (!Array.isArray(parsed)) throw new TypeError(`${PII_FILE}: expected an array of records`);
  return parsed as PiiRecord[];
}

export async function evaluatePii(dataDir: string = defaultEvalDir()): Promise<PiiReport> {
  const records = await loadPiiRecords(dataDir);
  const gate = pii();
  const signal = new AbortController().signal;
  const overall = emptyConfusion();
  const entities = Object.keys(CLAIMED_TYPES);
  const strict = new Map(entities.map((e) => [e, emptyConfusion()]));
  const holding = new Map(entities.map((e) => [e, { records: 0, failed: 0 }]));
  const falsePositiveEntities: Record<string, number> = {};
  const errors: PiiError[] = [];
  let positives = 0;
  for (const [index, record] of records.entries()) {
    const present = new Set(record.spans.map((s) => s.entity_type));
    const actualClaimed = entities.filter((e) => present.has(e));
    const actual = actualClaimed.length > 0;
    if (actual) positives++;
    const outcome = await gate.run({ agent_id: 'eval', output: record.full_text }, signal);
    const predicted = !outcome.passed;
    const predictedTypes = predicted ? (outcome.details as PiiDetails).types : [];
    tally(overall, actual, predicted);
    for (const entity of entities) {
      tally(strict.get(entity)!, present.has(entity), predictedTypes.includes(CLAIMED_TYPES[entity]!));
      if (present.has(entity)) {
        const h = holding.get(entity)!;
        h.records++;
        if (predicted) h.failed++;
      }
    }
    if (predicted && !actual) {
      for (const entity of present.size > 0 ? present : new Set(['(none)'])) {
        falsePositiveEntities[entity] = (falsePositiveEntities[entity] ?? 0) + 1;
      }
    }
    if (actual !== predicted) errors.push({ index, actual: actualClaimed, predicted: predictedTypes, text: record.full_text });
  }
  return {
    dataDir,
    records: records.length,
    positives,
    overall: score(overall),
    types: entities.map((entity) => {
      const h = holding.get(entity)!;
      return {
        entity,
        type: CLAIMED_TYPES[entity]!,
        records: h.records,
        recall: h.records === 0 ? 0 : h.failed / h.records,
        strict: score(strict.get(entity)!),
      };
    }),
    falsePositiveEntities,
    errors,
  };
}

const f3 = (x: number) => x.toFixed(3);

function scoreLine(label: string, s: Scores): string {
  return `  ${label.padEnd(14)} P ${f3(s.precision)}  R ${f3(s.recall)}  F1 ${f3(s.f1)}   (tp ${s.tp}, fp ${s.fp}, fn ${s.fn}, tn ${s.tn})`;
}

export function formatPiiReport(r: PiiReport): string {
  const lines = [
    `PII detection on ${PII_FILE} (positive = record holds ${Object.keys(CLAIMED_TYPES).join(', ')})`,
    '',
    `${r.records} records, ${r.positives} positive`,
    scoreLine('pii gate', r.overall),
    '',
    '  per type: recall = share of records holding the type that the gate failed;',
    '            strict = the type scored alone from details.types',
  ];
  for (const t of r.types) {
    lines.push(
      `  ${t.entity.padEnd(14)} ${String(t.records).padStart(4)} records  recall ${f3(t.recall)}   strict P ${f3(t.strict.precision)}  R ${f3(t.strict.recall)}  F1 ${f3(t.strict.f1)}`,
    );
  }
  const fp = Object.entries(r.falsePositiveEntities).sort((a, b) => b[1] - a[1]);
  if (fp.length > 0) lines.push('', `  false positives by span types present: ${fp.map(([e, n]) => `${e} ${n}`).join(', ')}`);
  return lines.join('\n');
}

export function formatPiiErrors(errors: readonly PiiError[], width = 200): string {
  return errors
    .map((e) => {
      const kind = e.actual.length === 0 ? `FP ${e.predicted.join('+')}` : `FN ${e.actual.join('+')}`;
      const text = e.text.replace(/\s+/g, ' ').trim();
      return `#${e.index} [${kind}] ${text.length > width ? `${text.slice(0, width)}…` : text}`;
    })
    .join('\n');
}

async function main(): Promise<void> {
  const report = await evaluatePii();
  console.log(formatPiiReport(report));
  if (process.argv.includes('--errors')) {
    console.log(`\nMisclassified (${report.errors.length}):\n${formatPiiErrors(report.errors)}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
