/**
 * Measures the `pii` gate's credential detection on gitleaks' rule fixtures (MIT): 1,272 strings, each a true or
 * false positive of one of 216 gitleaks rules (cred-gitleaks-fixtures.jsonl, README in the data directory).
 *
 *   node --conditions=development --import tsx eval/credentials.ts [--errors] [--held-out-errors]
 *
 * The prediction is the gate, with only credentials switched on, failing the text. Scored on every record and on
 * two splits by vendor file:
 * - held-out: the 25 vendor files whose records were not read while the rules were written (two contiguous runs
 *   in the fixture's file order, gitter.go…infracost.go and privatekey.go…sidekiq.go; 232 records). Their numbers
 *   are the ones to trust for data the rules were not written against.
 * - dev: the other 100 files, read while writing the rules.
 * Per vendor family (the family of the rule's vendor, below): recall and false alarms. `--errors` lists the dev
 * split's misclassified records (dataset text, never anything the gate produced); `--held-out-errors` the held-out
 * split's.
 *
 * A second, real-world negative set: the README files and JavaScript/TypeScript sources under the project's own
 * node_modules (developer prose and code nobody tuned the rules to; Pecta's own packages left out). Reported as the
 * share of files in which the gate finds a credential, per family. Test files of those packages hold deliberate
 * fake secrets, so a few findings there are expected. `--corpus-files` lists the flagged files.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pii, type PiiDetails } from '../packages/core/src/gates/pii.js';
import { CREDENTIAL_FAMILIES, type CredentialFamily } from '../packages/core/src/gates/pii/credentials/families.js';
import { defaultEvalDir, emptyConfusion, score, tally, type Scores } from './scoring.js';
import { SECRETLINT_LABEL, secretlintFinds } from './secretlint.js';

export const CREDENTIALS_FILE = 'cred-gitleaks-fixtures.jsonl';

export const HELD_OUT_FILES: ReadonlySet<string> = new Set(
  [
    'gitter', 'gocardless', 'grafana', 'harness', 'hashicorp', 'hashicorp_vault', 'heroku', 'hubspot', 'huggingface',
    'infracost', 'privatekey', 'pulumi', 'pypi', 'rapidapi', 'readme', 'rubygems', 'scalingo', 'sendbird', 'sendgrid',
    'sendinblue', 'sentry', 'settlemint', 'shippo', 'shopify', 'sidekiq',
  ].map((name) => `cmd/generate/config/rules/${name}.go`),
);

/** Family of each gitleaks vendor file; files not listed are SaaS vendors. */
const FILE_FAMILIES: Readonly<Record<string, CredentialFamily>> = {
  ...Object.fromEntries(
    ['alibaba', 'aws', 'azure', 'clickhouse', 'cloudflare', 'databricks', 'definednetworking', 'digitalocean', 'flyio',
      'gcp', 'hashicorp', 'hashicorp_vault', 'heroku', 'openshift', 'planetscale', 'pulumi', 'scalingo', 'yandex'].map((f) => [f, 'cloud']),
  ),
  ...Object.fromEntries(
    ['artifactory', 'atlassian', 'bitbucket', 'clojars', 'codecov', 'droneci', 'github', 'gitlab', 'harness', 'jfrog',
      'npm', 'octopusdeploy', 'pypi', 'rubygems', 'snyk', 'sonar', 'sourcegraph', 'travisci'].map((f) => [f, 'vcs']),
  ),
  ...Object.fromEntries(
    ['discord', 'gitter', 'mattermost', 'messagebird', 'sendbird', 'slack', 'teams', 'twitch'].map((f) => [f, 'chat']),
  ),
  ...Object.fromEntries(
    ['bittrex', 'coinbase', 'finicity', 'flutterwave', 'gocardless', 'kraken', 'kucoin', 'plaid', 'square', 'stripe'].map((f) => [f, 'payment']),
  ),
  ...Object.fromEntries(['anthropic', 'cohere', 'huggingface', 'openai', 'perplexity', 'privateai'].map((f) => [f, 'ai'])),
  privatekey: 'privateKey',
  age: 'privateKey',
  jwt: 'jwt',
  curl: 'connectionString',
  sidekiq: 'connectionString',
  generic: 'assignment',
};

export function familyOfFile(file: string): CredentialFamily {
  const name = file.replace(/^.*\//, '').replace(/\.go$/, '');
  return FILE_FAMILIES[name] ?? 'saas';
}

interface CredentialRecord {
  id: string;
  text: string;
  secret: boolean;
  rule: string;
  generated: boolean;
  file: string;
}

export interface FamilyReport {
  family: CredentialFamily;
  positives: number;
  recall: number;
  negatives: number;
  falseAlarms: number;
}

export interface CredentialError {
  id: string;
  heldOut: boolean;
  secret: boolean;
  families: CredentialFamily[];
  text: string;
}

/** A detector's scores on the whole file and on both splits, and its speed. */
export interface SplitScores {
  overall: Scores;
  dev: Scores;
  heldOut: Scores;
  recordsPerSecond: number;
}

export interface CredentialReport {
  records: number;
  overall: Scores;
  dev: Scores;
  heldOut: Scores;
  /** The peer, on the same records in the same run. */
  peer: SplitScores;
  families: FamilyReport[];
  /** How many true detections each family of the gate made (the family it reported). */
  detectedAs: Partial<Record<CredentialFamily, number>>;
  recordsPerSecond: number;
  errors: CredentialError[];
}

export async function loadCredentialRecords(dataDir: string = defaultEvalDir()): Promise<CredentialRecord[]> {
  const lines = (await readFile(join(dataDir, CREDENTIALS_FILE), 'utf8')).split('\n').filter((l) => l.trim() !== '');
  return lines.map((line) => JSON.parse(line) as CredentialRecord);
}

async function evaluatePeer(records: readonly CredentialRecord[]): Promise<SplitScores> {
  const overall = emptyConfusion();
  const dev = emptyConfusion();
  const heldOut = emptyConfusion();
  const started = performance.now();
  for (const record of records) {
    const predicted = await secretlintFinds(record.text);
    tally(overall, record.secret, predicted);
    tally(HELD_OUT_FILES.has(record.file) ? heldOut : dev, record.secret, predicted);
  }
  const seconds = (performance.now() - started) / 1000;
  return { overall: score(overall), dev: score(dev), heldOut: score(heldOut), recordsPerSecond: records.length / seconds };
}

const CREDENTIALS_ONLY = { email: false, phone: false, ssn: false, card: false, iban: false, ip: false, credentials: true } as const;

export async function evaluateCredentials(dataDir: string = defaultEvalDir()): Promise<CredentialReport> {
  const records = await loadCredentialRecords(dataDir);
  const gate = pii(CREDENTIALS_ONLY);
  const signal = new AbortController().signal;
  const overall = emptyConfusion();
  const dev = emptyConfusion();
  const heldOut = emptyConfusion();
  const perFamily = new Map(CREDENTIAL_FAMILIES.map((f) => [f, { positives: 0, found: 0, negatives: 0, falseAlarms: 0 }]));
  const detectedAs: Partial<Record<CredentialFamily, number>> = {};
  const errors: CredentialError[] = [];
  const started = performance.now();
  for (const record of records) {
    const outcome = await gate.run({ agent_id: 'eval', output: record.text }, signal);
    const predicted = !outcome.passed;
    const families = predicted ? ((outcome.details as PiiDetails).credentials ?? []) : [];
    const held = HELD_OUT_FILES.has(record.file);
    tally(overall, record.secret, predicted);
    tally(held ? heldOut : dev, record.secret, predicted);
    const f = perFamily.get(familyOfFile(record.file))!;
    if (record.secret) {
      f.positives++;
      if (predicted) {
        f.found++;
        for (const family of families) detectedAs[family] = (detectedAs[family] ?? 0) + 1;
      }
    } else {
      f.negatives++;
      if (predicted) f.falseAlarms++;
    }
    if (record.secret !== predicted) errors.push({ id: record.id, heldOut: held, secret: record.secret, families, text: record.text });
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    records: records.length,
    overall: score(overall),
    dev: score(dev),
    heldOut: score(heldOut),
    peer: await evaluatePeer(records),
    families: CREDENTIAL_FAMILIES.map((family) => {
      const f = perFamily.get(family)!;
      return { family, positives: f.positives, recall: f.positives === 0 ? 0 : f.found / f.positives, negatives: f.negatives, falseAlarms: f.falseAlarms };
    }),
    detectedAs,
    recordsPerSecond: records.length / seconds,
    errors,
  };
}

export interface CorpusReport {
  kind: string;
  files: number;
  flagged: number;
  families: Partial<Record<CredentialFamily, number>>;
  flaggedFiles: string[];
}

const NODE_MODULES = fileURLToPath(new URL('../node_modules/', import.meta.url));
const MAX_DEPTH = 8;

/** README files, or JS/TS sources (no declarations, no minified bundles), under node_modules; Pecta's own left out. */
async function corpusFiles(dir: string, wanted: (name: string) => boolean, depth = 0): Promise<string[]> {
  if (depth > MAX_DEPTH) return [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || (depth === 0 && entry.name === '@pecta')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await corpusFiles(path, wanted, depth + 1)));
    else if (entry.isFile() && wanted(entry.name)) files.push(path);
  }
  return files;
}

const isReadme = (name: string) => /^readme\.md$/i.test(name);
const isSource = (name: string) => /\.(?:[cm]?js|ts)$/.test(name) && !name.endsWith('.d.ts') && !name.includes('.min.');

export async function evaluateCorpus(kind: 'readme' | 'source'): Promise<CorpusReport> {
  const files = await corpusFiles(NODE_MODULES, kind === 'readme' ? isReadme : isSource);
  const gate = pii(CREDENTIALS_ONLY);
  const signal = new AbortController().signal;
  const families: Partial<Record<CredentialFamily, number>> = {};
  const flaggedFiles: string[] = [];
  for (const file of files) {
    const outcome = await gate.run({ agent_id: 'eval', output: await readFile(file, 'utf8') }, signal);
    if (outcome.passed) continue;
    flaggedFiles.push(file.slice(NODE_MODULES.length));
    for (const family of (outcome.details as PiiDetails).credentials ?? []) families[family] = (families[family] ?? 0) + 1;
  }
  return { kind, files: files.length, flagged: flaggedFiles.length, families, flaggedFiles };
}

export function formatCorpusReport(r: CorpusReport): string {
  const share = r.files === 0 ? 0 : (100 * r.flagged) / r.files;
  const families = CREDENTIAL_FAMILIES.filter((f) => r.families[f] !== undefined).map((f) => `${f} ${r.families[f]}`);
  return `  node_modules ${r.kind} files: ${r.flagged} of ${r.files} flagged (${share.toFixed(2)}%)${families.length > 0 ? `: ${families.join(', ')}` : ''}`;
}

const f3 = (x: number) => x.toFixed(3);

function scoreLine(label: string, s: Scores): string {
  return `  ${label.padEnd(22)} P ${f3(s.precision)}  R ${f3(s.recall)}  F1 ${f3(s.f1)}   (tp ${s.tp}, fp ${s.fp}, fn ${s.fn}, tn ${s.tn})`;
}

export function formatCredentialReport(r: CredentialReport): string {
  const lines = [
    `Credential detection on ${CREDENTIALS_FILE} (positive = gitleaks lists the string as a true positive)`,
    '',
    `${r.records} records, ${Math.round(r.recordsPerSecond).toLocaleString('en-US')} records/s (pii gate, credentials only)`,
    scoreLine('all records', r.overall),
    scoreLine('dev split (100 files)', r.dev),
    scoreLine('held-out (25 files)', r.heldOut),
    '',
    `  peer, same records: ${SECRETLINT_LABEL}, ${Math.round(r.peer.recordsPerSecond).toLocaleString('en-US')} records/s`,
    scoreLine('all records', r.peer.overall),
    scoreLine('dev split', r.peer.dev),
    scoreLine('held-out', r.peer.heldOut),
    '',
    '  per vendor family (of the gitleaks rule file): recall on its positives, false alarms on its negatives',
  ];
  for (const f of r.families) {
    lines.push(`  ${f.family.padEnd(18)} ${String(f.positives).padStart(4)} pos  recall ${f3(f.recall)}   ${String(f.negatives).padStart(4)} neg  false alarms ${f.falseAlarms}`);
  }
  const detected = CREDENTIAL_FAMILIES.filter((f) => r.detectedAs[f] !== undefined).map((f) => `${f} ${r.detectedAs[f]}`);
  lines.push('', `  true detections by the family the gate reported: ${detected.join(', ')}`);
  return lines.join('\n');
}

export function formatCredentialErrors(errors: readonly CredentialError[], width = 160): string {
  return errors
    .map((e) => {
      const kind = e.secret ? 'FN' : `FP ${e.families.join('+')}`;
      const text = e.text.replace(/\s+/g, ' ').trim();
      return `${e.id} [${kind}] ${text.length > width ? `${text.slice(0, width)}…` : text}`;
    })
    .join('\n');
}

async function main(): Promise<void> {
  const report = await evaluateCredentials();
  console.log(formatCredentialReport(report));
  const corpora = [await evaluateCorpus('readme'), await evaluateCorpus('source')];
  console.log(['', '  false alarms on real developer text (no secrets expected outside test files):', ...corpora.map(formatCorpusReport)].join('\n'));
  if (process.argv.includes('--corpus-files')) console.log(corpora.flatMap((c) => c.flaggedFiles).join('\n'));
  const heldOut = process.argv.includes('--held-out-errors');
  if (heldOut || process.argv.includes('--errors')) {
    const errors = report.errors.filter((e) => e.heldOut === heldOut);
    console.log(`\nMisclassified (${heldOut ? 'held-out' : 'dev'} split, ${errors.length}):\n${formatCredentialErrors(errors)}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
