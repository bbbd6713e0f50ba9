import { useMemo, useState } from 'preact/hooks';
import { Link } from '../components/Link.js';
import { ScoreCell } from '../components/ScoreBadge.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { api } from '../lib/api.js';
import { count, timeAgo, utcMinutes } from '../lib/format.js';
import { useDocumentTitle, useLoad } from '../lib/hooks.js';
import { agentPath } from '../lib/router.js';
import { sortAgents, type SortDirection as Direction, type SortKey } from '../lib/sort.js';

const COLUMNS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'agent', label: 'Agent' },
  { key: 'score', label: 'Score', numeric: true },
  { key: 'status', label: 'Status' },
  { key: 'evaluations', label: 'Evaluations', numeric: true },
  { key: 'last_seen', label: 'Last seen' },
  { key: 'first_seen', label: 'First seen' },
];

export function AgentsPage() {
  useDocumentTitle('Agents');
  const list = useLoad((signal) => api.agents(signal).then((r) => r.agents), []);
  const [sort, setSort] = useState<{ key: SortKey; direction: Direction }>({ key: 'last_seen', direction: 'descending' });
  // One request lists every agent with its score and status, whatever the number of agents.
  const rows = useMemo(() => (list.data ? sortAgents(list.data, sort.key, sort.direction) : []), [list.data, sort]);

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
          <table class="table agents-table" aria-busy={list.state === 'loading' ? 'true' : 'false'}>
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
                return (
                  <tr key={agent.agent_id} data-agent-id={agent.agent_id}>
                    <th scope="row" class="agent-cell">
                      <Link href={agentPath(agent.agent_id)}>{agent.agent_id}</Link>
                    </th>
                    <td class="num">
                      <ScoreCell reputation={agent} />
                    </td>
                    <td>
                      <span class={`status status-${agent.status}`}>{agent.status}</span>
                    </td>
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
