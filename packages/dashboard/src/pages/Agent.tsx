import { EventsTable } from '../components/EventsTable.js';
import { FailingGates } from '../components/FailingGates.js';
import { Link } from '../components/Link.js';
import { ScoreBadge } from '../components/ScoreBadge.js';
import { ScoreChart } from '../components/ScoreChart.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { api, type EvaluationEvent } from '../lib/api.js';
import { count, latency, percent } from '../lib/format.js';
import { useDocumentTitle, useLoad } from '../lib/hooks.js';
import { eventsPath } from '../lib/query.js';

const PAGE_SIZE = 100;
/** Up to 500 events: the reputation window, enough for the score history and the failure chart. */
const MAX_PAGES = 5;
const LATEST_SHOWN = 20;

async function recentEvents(agentId: string, signal: AbortSignal): Promise<EvaluationEvent[]> {
  const events: EvaluationEvent[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await api.events({ agent_id: agentId, limit: PAGE_SIZE, cursor }, signal);
    events.push(...result.events);
    if (result.next_cursor === null) break;
    cursor = result.next_cursor;
  }
  return events;
}

function Card({ label, value, detail, testId }: { label: string; value: string; detail?: string; testId: string }) {
  return (
    <div class="card" data-testid={testId}>
      <dt>{label}</dt>
      <dd>
        <span class="card-value">{value}</span>
        {detail && <span class="card-detail">{detail}</span>}
      </dd>
    </div>
  );
}

export function AgentPage({ agentId }: { agentId: string }) {
  useDocumentTitle(agentId);
  const data = useLoad(
    async (signal) => {
      const [reputation, events] = await Promise.all([api.reputation(agentId, signal), recentEvents(agentId, signal)]);
      return { reputation, events };
    },
    [agentId],
  );

  return (
    <section>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <Link href="/agents">Agents</Link>
        <span aria-hidden="true"> / </span>
      </nav>
      <h1 tabIndex={-1} class="agent-title">
        {agentId}
      </h1>
      {data.state === 'error' && <ErrorState error={data.error} onRetry={data.reload} />}
      {data.state === 'loading' && !data.data && <Loading label="Loading the agent…" />}
      {data.data && <AgentDetails agentId={agentId} {...data.data} />}
    </section>
  );
}

function AgentDetails({ agentId, reputation, events }: { agentId: string; reputation: Awaited<ReturnType<typeof api.reputation>>; events: EvaluationEvent[] }) {
  if (reputation.evaluations === 0 && events.length === 0) {
    return (
      <Empty title="No evaluations yet">
        <p>
          This agent has not been evaluated yet (or does not exist). Its score appears after its first evaluation; it is
          calibrating until it has 50.
        </p>
      </Empty>
    );
  }
  return (
    <>
      <div class="agent-summary">
        <ScoreBadge reputation={reputation} />
        <dl class="cards">
          <Card testId="card-evaluations" label="Evaluations" value={count(reputation.evaluations)} detail={`status: ${reputation.status}`} />
          <Card testId="card-pass-rate" label="Pass rate" value={percent(reputation.pass_rate)} detail={`${count(reputation.passed)} passed`} />
          <Card testId="card-latency" label="Average latency" value={latency(reputation.avg_latency_ms)} />
          <Card testId="card-streak" label="Streak" value={count(reputation.streak)} detail="passes in a row" />
        </dl>
      </div>
      <p class="muted small">Reputation over the last {count(reputation.evaluations)} evaluations (window of 500).</p>

      <div class="panels">
        <section class="panel" aria-labelledby="score-history">
          <h2 id="score-history">Score over time</h2>
          <ScoreChart events={events} />
        </section>
        <section class="panel" aria-labelledby="failing-gates">
          <h2 id="failing-gates">Failing gates</h2>
          <FailingGates events={events} />
        </section>
      </div>

      <section class="panel" aria-labelledby="latest-events">
        <div class="panel-head">
          <h2 id="latest-events">Latest events</h2>
          <Link href={eventsPath({ agent_id: agentId })}>All events of this agent</Link>
        </div>
        <EventsTable events={events.slice(0, LATEST_SHOWN)} caption={`Latest events of ${agentId}`} showAgent={false} />
      </section>
    </>
  );
}
