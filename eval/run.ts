/**
 * Detector quality on labelled public data (issue #2, docs/quality.md): `npm run eval`.
 * PII on presidio-research's synthetic set, refusals on XSTest completions with human labels.
 */
import { evaluatePii, formatPiiReport } from './pii.js';
import { evaluateRefusal, formatRefusalReport } from './refusal.js';

console.log(formatPiiReport(await evaluatePii()));
console.log('');
console.log(formatRefusalReport(await evaluateRefusal()));
