/**
 * Detector quality on labelled public data (issue #2, docs/quality.md): `npm run eval`.
 * PII on presidio-research's synthetic set, refusals on XSTest completions with human labels, credentials on
 * gitleaks' rule fixtures and on the node_modules README/source corpus, destructive commands on dcg's corpus (dev and
 * held-out) with false alarms on the READMEs under node_modules/, prompt injection on injection-dev.jsonl (with vard
 * as peer) and the injection gate's false alarms on node_modules READMEs and sources.
 */
import { evaluateCommands, formatCommandsReport } from './commands.js';
import {
  evaluateCorpus as evaluateCredentialCorpus,
  evaluateCredentials,
  formatCorpusReport as formatCredentialCorpusReport,
  formatCredentialReport,
} from './credentials.js';
import { evaluateCorpus, formatCorpusReport } from './injection-corpus.js';
import { evaluateInjection, formatInjectionReport } from './injection.js';
import { evaluatePii, formatPiiReport } from './pii.js';
import { evaluateRefusal, formatRefusalReport } from './refusal.js';

console.log(formatPiiReport(await evaluatePii()));
console.log('');
console.log(formatRefusalReport(await evaluateRefusal()));
console.log('');
console.log(formatCredentialReport(await evaluateCredentials()));
console.log(
  ['', '  false alarms on real developer text:', formatCredentialCorpusReport(await evaluateCredentialCorpus('readme')), formatCredentialCorpusReport(await evaluateCredentialCorpus('source'))].join('\n'),
);
console.log('');
console.log(formatCommandsReport(await evaluateCommands()));
console.log('');
console.log(formatInjectionReport(await evaluateInjection()));
console.log('');
console.log(formatCorpusReport(await evaluateCorpus()));
