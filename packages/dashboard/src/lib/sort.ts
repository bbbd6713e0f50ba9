/** Sorting the agents table; pure, so that it can be unit-tested. */
import type { AgentSummary, Reputation } from './api.js';
import { isCalibrating } from './format.js';

export type SortKey = 'agent' | 'score' | 'status' | 'evaluations' | 'last_seen' | 'first_seen';
export type SortDirection = 'ascending' | 'descending';

const STATUS_ORDER = { new: 0, calibrating: 1, active: 2, mature: 3 } as const;

export type Reputations = Map<string, Reputation | Error>;

/** Scored agents above calibrating ones; calibrating ones by progress. */
function scoreRank(rep: Reputation | Error | undefined): number {
  if (rep === undefined || rep instanceof Error) return -2000;
  return isCalibrating(rep.status) ? -1000 + rep.evaluations : rep.score;
}

function compare(a: AgentSummary, b: AgentSummary, key: SortKey, reps: Reputations): number {
  switch (key) {
    case 'agent':
      return a.agent_id.localeCompare(b.agent_id);
    case 'score':
      return scoreRank(reps.get(a.agent_id)) - scoreRank(reps.get(b.agent_id));
    case 'status': {
      const ra = reps.get(a.agent_id);
      const rb = reps.get(b.agent_id);
      const sa = ra && !(ra instanceof Error) ? STATUS_ORDER[ra.status] : -1;
      const sb = rb && !(rb instanceof Error) ? STATUS_ORDER[rb.status] : -1;
      return sa - sb;
    }
    case 'evaluations':
      return a.eval_count - b.eval_count;
    case 'last_seen':
      return a.last_seen.localeCompare(b.last_seen);
    case 'first_seen':
      return a.first_seen.localeCompare(b.first_seen);
  }
}

export function sortAgents(agents: readonly AgentSummary[], key: SortKey, direction: SortDirection, reps: Reputations): AgentSummary[] {
  const sign = direction === 'ascending' ? 1 : -1;
  // Ties keep a stable, readable order: by agent id.
  return [...agents].sort((a, b) => sign * compare(a, b, key, reps) || a.agent_id.localeCompare(b.agent_id));
}
