import type { EvaluationEvent, GateVerdict } from '../lib/api.js';
import { eventLatency, latency, utcSeconds } from '../lib/format.js';
import { agentPath } from '../lib/router.js';
import { Link } from './Link.js';

function gateState(gate: GateVerdict): 'skipped' | 'pass' | 'fail' {
  if (gate.skipped) return 'skipped';
  return gate.passed ? 'pass' : 'fail';
}

const STATE_WORDS = { pass: 'passed', fail: 'failed', skipped: 'skipped' } as const;

export function GateChip({ gate }: { gate: GateVerdict }) {
  const state = gateState(gate);
  const hover = [`${gate.name}: ${STATE_WORDS[state]}`, gate.reason, `${latency(gate.latency_ms)}`].filter(Boolean).join(' — ');
  return (
    <li class={`chip chip-${state}`} title={hover} data-gate={gate.name} data-state={state}>
      {gate.name}
      <span class="visually-hidden">
        {`: ${STATE_WORDS[state]}`}
        {gate.reason ? `, ${gate.reason}` : ''}
      </span>
    </li>
  );
}

export function Verdict({ passed }: { passed: boolean }) {
  return <span class={`verdict ${passed ? 'verdict-pass' : 'verdict-block'}`}>{passed ? 'PASS' : 'BLOCK'}</span>;
}

interface EventsTableProps {
  events: EvaluationEvent[];
  caption: string;
  busy?: boolean;
  showAgent?: boolean;
}

export function EventsTable({ events, caption, busy = false, showAgent = true }: EventsTableProps) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table class="table events-table" aria-busy={busy ? 'true' : 'false'}>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th>
            {showAgent && <th scope="col">Agent</th>}
            <th scope="col">Tool</th>
            <th scope="col">Verdict</th>
            <th scope="col">Gates</th>
            <th scope="col" class="num">
              Latency
            </th>
            <th scope="col" class="num">
              Score
            </th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.evaluation_id} data-evaluation-id={event.evaluation_id}>
              <td class="nowrap mono">
                <time dateTime={event.created_at}>{utcSeconds(event.created_at)}</time>
              </td>
              {showAgent && (
                <td class="agent-cell">
                  <Link href={agentPath(event.agent_id)}>{event.agent_id}</Link>
                </td>
              )}
              <td class="muted">{event.tool_name ?? '—'}</td>
              <td>
                <Verdict passed={event.passed} />
              </td>
              <td>
                {event.gates.length === 0 ? (
                  <span class="muted">no gates</span>
                ) : (
                  <ul class="chips" aria-label="Gates">
                    {event.gates.map((gate, i) => (
                      <GateChip key={`${gate.name}-${i}`} gate={gate} />
                    ))}
                  </ul>
                )}
              </td>
              <td class="num nowrap">{latency(eventLatency(event))}</td>
              <td class="num">{event.reputation_score}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
