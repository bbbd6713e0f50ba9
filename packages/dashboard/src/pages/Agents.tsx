import { useEffect, useMemo, useState } from 'preact/hooks';
import { Link } from '../components/Link.js';
import { ScoreCell } from '../components/ScoreBadge.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { api, ApiError, mapLimited, type AgentSummary, type Reputation } from '../lib/api.js';
import { count, timeAgo, utcMinutes } from '../lib/format.js';
import { useDocumentTitle, useLoad } from '../lib/hooks.js';
import { agentPath } from '../lib/router.js';
import { sortAgents, type Reputations, type SortDirection as Direction, type SortKey } from '../lib/sort.js';

/** Reputations are fetched one request per agent (≤ 500), a few at a time so as not to swamp the server. */
const CONCURRENCY = 6;
/**
 * 500 agents are more requests than the default rate limit (200 a minute): when refused, wait as told and go on, so
 * that a large organisation sees its scores fill in instead of a table of errors.
 */
const MAX_RATE_LIMIT_WAITS = 5;

function sleep(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, seconds * 1000);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

async function reputationWithRetry(agentId: string, signal: AbortSignal): Promise<Reputation> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.reputation(agentId, signal);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'rate_limited' || attempt >= MAX_RATE_LIMIT_WAITS || signal.aborted) throw error;
      await sleep(Math.min(error.retryAfter ?? 5, 60), signal);
    }
  }
}

const COLUMNS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'agent', label: 'Agent' },
  { key: 'score', label: 'Score', numeric: true },
  { key: 'status', label: 'Status' },
  { key: 'evaluations', label: 'Evaluations', numeric: true },
  { key: 'last_seen', label: 'Last seen' },
  { key: 'first_seen', label: 'First seen' },
];

function useReputations(agents: AgentSummary[] | undefined): { reps: Reputations; pending: number } {
  const [reps, setReps] = useState<Reputations>(new Map());
  useEffect(() => {
    if (!agents) return;
    const controller = new AbortController();
    const found: Reputations = new Map();
    let flush: ReturnType<typeof setTimeout> | undefined;
    // Re-render in batches: one render per answer would redraw a 500-row table 500 times.
    const scheduleFlush = () => {
      flush ??= setTimeout(() => {
        flush = undefined;
        if (!controller.signal.aborted) setReps(new Map(found));
      }, 50);
    };
    setReps(new Map());
    void mapLimited(agents, CONCURRENCY, async (agent) => {
      if (controller.signal.aborted) return;
      try {
        found.set(agent.agent_id, await reputationWithRetry(agent.agent_id, controller.signal));
      } catch (error) {
        if (controller.signal.aborted) return;
        found.set(agent.agent_id, error instanceof Error ? error : new Error(String(error)));
      }
      scheduleFlush();
    });
    return () => {
      controller.abort();
      clearTimeout(flush);
    };
  }, [agents]);
  return { reps, pending: agents ? agents.length - reps.size : 0 };
}

export function AgentsPage() {
  useDocumentTitle('Agents');
  const list = useLoad((signal) => api.agents(signal).then((r) => r.agents), []);
  const { reps, pending } = useReputations(list.data);
  const [sort, setSort] = useState<{ key: SortKey; direction: Direction }>({ key: 'last_seen', direction: 'descending' });
  const rows = useMemo(() => (list.data ? sortAgents(list.data, sort.key, sort.direction, reps) : []), [list.data, sort, reps]);

  const toggleSort = (key: SortKey) =>
    setSort((prev) =>
      prev.key === key
        ? { key, direction: prev.direction === 'ascending' ? 'descending' : 'ascending' }
        : { key, direction: key === 'agent' || key === 'status' ? 'ascending' : 'descending' },
    );

  return (
    <section>
      <div class="page-head">
        <h1 tabIndex={-1}>Agents</h1>
        {list.data && list.data.length > 0 && (
          <p class="muted" aria-live="polite">
            {count(list.data.length)} {list.data.length === 1 ? 'agent' : 'agents'}
            {pending > 0 ? ` · loading scores (${count(pending)} left)` : ''}
          </p>
        )}
        <button type="button" class="button button-quiet page-action" onClick={list.reload} disabled={list.state === 'loading'}>
          Refresh
        </button>
      </div>

      {list.state === 'error' && <ErrorState error={list.error} onRetry={list.reload} />}
      {list.state === 'loading' && !list.data && <Loading label="Loading agents…" />}
      {list.data && list.data.length === 0 && (
        <Empty title="No agents yet">
          <p>Agents appear here after their first evaluation. Send one with the REST API, for example:</p>
          <pre class="code">
            {`curl -s ${window.location.origin}/v1/evaluate \\
  -H "Authorization: Bearer $PECTA_KEY" -H 'Content-Type: application/json' \\
  -d '{"agent_id":"my-agent","output":"Hello!","latency_ms":120}'`}
          </pre>
        </Empty>
      )}
      {list.data && list.data.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Agents table">
          <table class="table agents-table" aria-busy={pending > 0 || list.state === 'loading' ? 'true' : 'false'}>
            <caption class="visually-hidden">Agents, sortable by each column</caption>
            <thead>
              <tr>
                {COLUMNS.map((column) => (
                  <th
                    key={column.key}
                    scope="col"
                    class={column.numeric ? 'num' : undefined}
                    aria-sort={sort.key === column.key ? sort.direction : undefined}
                  >
                    <button type="button" class="sort" onClick={() => toggleSort(column.key)} data-sort={column.key}>
                      {column.label}
                      <span class="sort-arrow" aria-hidden="true">
                        {sort.key === column.key ? (sort.direction === 'ascending' ? '▲' : '▼') : '↕'}
                      </span>
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((agent) => {
                const rep = reps.get(agent.agent_id);
                return (
                  <tr key={agent.agent_id} data-agent-id={agent.agent_id}>
                    <th scope="row" class="agent-cell">
                      <Link href={agentPath(agent.agent_id)}>{agent.agent_id}</Link>
                    </th>
                    <td class="num">
                      {rep === undefined ? (
                        <span class="muted" aria-label="loading">
                          …
                        </span>
                      ) : rep instanceof Error ? (
                        <span class="muted" title={rep.message}>
                          —
                        </span>
                      ) : (
                        <ScoreCell reputation={rep} />
                      )}
                    </td>
                    <td>{rep && !(rep instanceof Error) ? <span class={`status status-${rep.status}`}>{rep.status}</span> : <span class="muted">…</span>}</td>
                    <td class="num">{count(agent.eval_count)}</td>
                    <td class="nowrap">
                      <time dateTime={agent.last_seen} title={`${utcMinutes(agent.last_seen)} UTC`}>
                        {timeAgo(agent.last_seen)}
                      </time>
                    </td>
                    <td class="nowrap">
                      <time dateTime={agent.first_seen}>{utcMinutes(agent.first_seen)}</time>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
