/**
 * Detector quality on labelled public data (issue #2, docs/quality.md): `npm run eval`.
 * PII on presidio-research's synthetic set, refusals on XSTest completions with human labels, destructive commands
 * on dcg's corpus (dev and held-out) with false alarms on the READMEs under node_modules/.
 */
import { evaluateCommands, formatCommandsReport } from './commands.js';
import { evaluatePii, formatPiiReport } from './pii.js';
import { evaluateRefusal, formatRefusalReport } from './refusal.js';

console.log(formatPiiReport(await evaluatePii()));
console.log('');
console.log(formatRefusalReport(await evaluateRefusal()));
console.log('');
console.log(formatCommandsReport(await evaluateCommands()));
