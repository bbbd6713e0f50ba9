import type { EvaluationEvent } from '../lib/api.js';
import { count } from '../lib/format.js';
import { countGateFailures } from '../lib/stats.js';

const MAX_BARS = 10;

/** A horizontal bar chart in plain HTML: readable by screen readers as a list of "gate: N failures". */
export function FailingGates({ events }: { events: readonly EvaluationEvent[] }) {
  const rows = countGateFailures(events).slice(0, MAX_BARS);
  if (rows.length === 0) {
    return <p class="muted">No gate failed in the last {count(events.length)} evaluations.</p>;
  }
  const max = rows[0]!.failures;
  return (
    <ul class="bars" aria-label={`Failing gates in the last ${events.length} evaluations`}>
      {rows.map((row) => (
        <li key={row.name} class="bar-row" data-gate={row.name}>
          <span class="bar-label" title={row.name}>
            {row.name}
          </span>
          <span class="bar-track" aria-hidden="true">
            <span class="bar-fill" style={{ width: `${Math.max(2, (row.failures / max) * 100)}%` }} />
          </span>
          <span class="bar-value">
            {count(row.failures)}
            <span class="visually-hidden"> {row.failures === 1 ? 'failure' : 'failures'}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}
