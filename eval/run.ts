/**
 * Detector quality on labelled public data (issue #2, docs/quality.md): `npm run eval`.
 * PII on presidio-research's synthetic set, refusals on XSTest completions with human labels, credentials on
 * gitleaks' rule fixtures and on the node_modules README/source corpus.
 */
import { evaluateCorpus, evaluateCredentials, formatCorpusReport, formatCredentialReport } from './credentials.js';
import { evaluatePii, formatPiiReport } from './pii.js';
import { evaluateRefusal, formatRefusalReport } from './refusal.js';

console.log(formatPiiReport(await evaluatePii()));
console.log('');
console.log(formatRefusalReport(await evaluateRefusal()));
console.log('');
console.log(formatCredentialReport(await evaluateCredentials()));
console.log(['', '  false alarms on real developer text:', formatCorpusReport(await evaluateCorpus('readme')), formatCorpusReport(await evaluateCorpus('source'))].join('\n'));
