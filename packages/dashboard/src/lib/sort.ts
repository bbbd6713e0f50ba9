/** Sorting the agents table; pure, so that it can be unit-tested. */
import type { AgentSummary } from './api.js';
import { isCalibrating } from './format.js';

export type SortKey = 'agent' | 'score' | 'status' | 'evaluations' | 'last_seen' | 'first_seen';
export type SortDirection = 'ascending' | 'descending';

const STATUS_ORDER = { new: 0, calibrating: 1, active: 2, mature: 3 } as const;

/** Scored agents above calibrating ones; calibrating ones by progress. */
function scoreRank(agent: AgentSummary): number {
  return isCalibrating(agent.status) ? -1000 + agent.evaluations : agent.score;
}

function compare(a: AgentSummary, b: AgentSummary, key: SortKey): number {
  switch (key) {
    case 'agent':
      return a.agent_id.localeCompare(b.agent_id);
    case 'score':
      return scoreRank(a) - scoreRank(b);
    case 'status':
      return STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
    case 'evaluations':
      return a.eval_count - b.eval_count;
    case 'last_seen':
      return a.last_seen.localeCompare(b.last_seen);
    case 'first_seen':
      return a.first_seen.localeCompare(b.first_seen);
  }
}

export function sortAgents(agents: readonly AgentSummary[], key: SortKey, direction: SortDirection): AgentSummary[] {
  const sign = direction === 'ascending' ? 1 : -1;
  // Ties keep a stable, readable order: by agent id.
  return [...agents].sort((a, b) => sign * compare(a, b, key) || a.agent_id.localeCompare(b.agent_id));
}
