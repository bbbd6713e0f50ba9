/**
 * Measures the `content` gate's refusal check on XSTest model completions (Röttger et al., NAACL 2024; CC BY 4.0):
 * three files of 450 completions each, hand-labelled `1_full_compliance`, `2_full_refusal` or `3_partial_refusal`.
 *
 *   node --conditions=development --import tsx eval/refusal.ts [--errors]
 *
 * A row is positive when its human `final_label` is not full compliance; the prediction is the gate (empty check off)
 * failing the completion. The `gpt4_label` column, GPT-4 judging the same completions, is reported as a baseline.
 * The data directory defaults to ../../shared/eval/ next to the repository and can be moved with PECTA_EVAL_DIR.
 *
 * The detector's first rules were tuned on the gpt4 and llama2new files only, with mistralinstruct held out (F1 0.618
 * there, 0.923 overall). A second round added three rule families written from all three files' errors: first-person
 * stances ("I strongly condemn …"), moral judgements of any subject ("… is illegal and unethical"), and a legal or
 * moral warning as the first sentence. Each family had to help, or leave unchanged, at least two files and add no
 * false positive on any; all three only gained on mistralinstruct, which is therefore no longer held out: every
 * number reported here is in-sample. `--errors` lists every misclassified row (id and truncated completion).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { content } from '../packages/core/src/gates/content.js';
import { defaultEvalDir, emptyConfusion, score, tally, type Scores } from './scoring.js';
export { defaultEvalDir, score, type Confusion, type Scores } from './scoring.js';

export const REFUSAL_FILES = [
  'refusal-xstest-gpt4.csv',
  'refusal-xstest-llama2new.csv',
  'refusal-xstest-mistralinstruct.csv',
] as const;
/** Held out during the first tuning round only; its errors informed the second round's rules. */
export const SECOND_ROUND_FILE = 'refusal-xstest-mistralinstruct.csv';

const COMPLIANCE = '1_full_compliance';

export interface Misclassified {
  file: string;
  id: string;
  label: string;
  predicted: boolean;
  rule?: string;
  text: string;
}

export interface RefusalFileReport {
  file: string;
  rows: number;
  positives: number;
  detector: Scores;
  gpt4Baseline: Scores;
}

export interface RefusalReport {
  dataDir: string;
  files: RefusalFileReport[];
  overall: { rows: number; positives: number; detector: Scores; gpt4Baseline: Scores };
  errors: Misclassified[];
}

/**
 * Parses RFC 4180 CSV: fields separated by commas, records by CRLF or LF, a quoted field may hold commas, line
 * breaks and doubled quotes. Returns every record as an array of fields (the header included).
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field.length === 0) quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n') endRecord();
    else if (ch === '\r') {
      if (text[i + 1] === '\n') i++;
      endRecord();
    } else field += ch;
    i++;
  }
  if (quoted) throw new SyntaxError('CSV ends inside a quoted field');
  if (field.length > 0 || record.length > 0) endRecord();
  return records;
}

/** Turns parsed CSV into objects keyed by the header row. */
export function csvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (header === undefined) return [];
  return rows
    .filter((row) => !(row.length === 1 && row[0] === ''))
    .map((row) => {
      if (row.length !== header.length) throw new SyntaxError(`CSV row has ${row.length} fields, header has ${header.length}`);
      return Object.fromEntries(header.map((name, k) => [name, row[k]!]));
    });
}



export async function evaluateRefusal(dataDir: string = defaultEvalDir()): Promise<RefusalReport> {
  const gate = content({ empty: false });
  const signal = new AbortController().signal;
  const files: RefusalFileReport[] = [];
  const errors: Misclassified[] = [];
  const allDetector = emptyConfusion();
  const allBaseline = emptyConfusion();
  for (const file of REFUSAL_FILES) {
    const rows = csvObjects(await readFile(join(dataDir, file), 'utf8'));
    const detector = emptyConfusion();
    const baseline = emptyConfusion();
    let positives = 0;
    for (const row of rows) {
      const actual = row.final_label !== COMPLIANCE;
      if (actual) positives++;
      const outcome = await gate.run({ agent_id: 'eval', output: row.completion }, signal);
      const predicted = !outcome.passed;
      tally(detector, actual, predicted);
      tally(allDetector, actual, predicted);
      const gpt4 = row.gpt4_label !== COMPLIANCE;
      tally(baseline, actual, gpt4);
      tally(allBaseline, actual, gpt4);
      if (actual !== predicted) {
        const rule = (outcome.details as { rule?: string } | undefined)?.rule;
        errors.push({ file, id: row.id!, label: row.final_label!, predicted, ...(rule ? { rule } : {}), text: row.completion! });
      }
    }
    files.push({ file, rows: rows.length, positives, detector: score(detector), gpt4Baseline: score(baseline) });
  }
  return {
    dataDir,
    files,
    overall: {
      rows: files.reduce((n, f) => n + f.rows, 0),
      positives: files.reduce((n, f) => n + f.positives, 0),
      detector: score(allDetector),
      gpt4Baseline: score(allBaseline),
    },
    errors,
  };
}

const pct = (x: number) => x.toFixed(3);

function scoreLine(label: string, s: Scores): string {
  const counts = `(tp ${s.tp}, fp ${s.fp}, fn ${s.fn}, tn ${s.tn})`;
  return `  ${label.padEnd(14)} P ${pct(s.precision)}  R ${pct(s.recall)}  F1 ${pct(s.f1)}   ${counts}`;
}

export function formatRefusalReport(r: RefusalReport): string {
  const lines = ['Refusal detection on XSTest completions (positive = human label is not full compliance)', ''];
  for (const f of r.files) {
    const role = f.file === SECOND_ROUND_FILE ? 'tuning, second round only' : 'tuning';
    lines.push(`${f.file} (${role}): ${f.rows} rows, ${f.positives} positive`);
    lines.push(scoreLine('content gate', f.detector), scoreLine('gpt4_label', f.gpt4Baseline), '');
  }
  lines.push(`overall: ${r.overall.rows} rows, ${r.overall.positives} positive`);
  lines.push(scoreLine('content gate', r.overall.detector), scoreLine('gpt4_label', r.overall.gpt4Baseline));
  return lines.join('\n');
}

export function formatErrors(errors: readonly Misclassified[], width = 160): string {
  return errors
    .map((e) => {
      const kind = e.predicted ? `FP ${e.rule ?? ''}`.trim() : `FN ${e.label}`;
      const text = e.text.replace(/\s+/g, ' ').trim();
      return `${e.file.replace(/^refusal-xstest-|\.csv$/g, '')} ${e.id} [${kind}] ${text.length > width ? `${text.slice(0, width)}…` : text}`;
    })
    .join('\n');
}

async function main(): Promise<void> {
  const report = await evaluateRefusal();
  console.log(formatRefusalReport(report));
  if (process.argv.includes('--errors')) console.log(`\nMisclassified (${report.errors.length}):\n${formatErrors(report.errors)}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
