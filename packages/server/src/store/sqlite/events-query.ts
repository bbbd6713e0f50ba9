/**
 * SQL for GET /v1/events. A page is found in two steps inside one statement: an inner select walks a covering index
 * (org, passed, created_at, seq) or (agent, passed, created_at, seq) newest first and skips `offset` index entries
 * without reading a row; the outer join then reads only the `limit` rows it kept, by primary key. Deep offsets therefore cost index steps, never
 * row reads. Without a passed filter the inner select is a UNION ALL of the passed=0 and passed=1 ranges, which
 * SQLite merges in order (MERGE (UNION ALL)) and stops after offset+limit: still no sort and no scan. INDEXED BY makes
 * SQLite fail loudly rather than scan if an index were ever missing.
 *
 * The store resolves the organisation's and the agent's integer keys first (an unknown one means an empty page), so
 * the statement itself only ever compares integers.
 */
import type { PageQuery, StoredEvent } from '../types.js';
import type { Row } from './connection.js';
import type { SqlValue } from './driver.js';
import { EVENT_INDEX } from './schema.js';
import { parseStoredGates } from '../stored-gates.js';

/**
 * The columns of a stored event, for a query that names events `e`. The agent's id comes from `agentId`: the joined
 * agents row (`a.agent_id`) or, when the query is for one agent, a parameter (`?`), which spares a lookup per row.
 */
export function eventColumns(agentId: 'a.agent_id' | '?'): string {
  return (
    `e.evaluation_id, e.event_id, ${agentId} AS agent_id, e.tool_name, e.passed, e.gates, e.total_latency_ms, ` +
    'e.latency_ms, e.reputation_score, e.created_at'
  );
}

/** A row of eventColumns(). */
export function storedEventFromRow(row: Row): StoredEvent {
  return {
    evaluation_id: row.evaluation_id as string,
    event_id: row.event_id as string | null,
    agent_id: row.agent_id as string,
    tool_name: row.tool_name as string | null,
    passed: row.passed === 1,
    gates: parseStoredGates(row.gates as string),
    total_latency_ms: row.total_latency_ms as number | null,
    latency_ms: row.latency_ms as number | null,
    reputation_score: row.reputation_score as number,
    created_at: row.created_at as number,
  };
}

export interface EventFilterShape {
  agent: boolean;
  passed: boolean;
  from: boolean;
  to: boolean;
  /** Starts after a position (cursor paging) instead of at an offset. */
  after: boolean;
}

export function shapeOf(query: PageQuery): EventFilterShape {
  return {
    agent: query.agent_id !== undefined,
    passed: query.passed !== undefined,
    from: query.from !== undefined,
    to: query.to !== undefined,
    after: query.after !== undefined,
  };
}

export function indexFor(shape: EventFilterShape): string {
  return shape.agent ? EVENT_INDEX.byAgentPassed : EVENT_INDEX.byPassed;
}

/** Parameters: see eventsPageParams. */
export function eventsPageSql(shape: EventFilterShape): string {
  const arm = (passed: string) => {
    // An agent key belongs to one organisation, so the agent index does not repeat the organisation.
    const where = [shape.agent ? 'agent_key = ?' : 'org_key = ?'];
    where.push(`passed = ${passed}`);
    if (shape.from) where.push('created_at >= ?');
    if (shape.to) where.push('created_at <= ?');
    // The bound on created_at alone is what lets the index seek to the cursor; an OR of the two cases would make
    // SQLite walk the range from the newest event, as deep as an offset.
    if (shape.after) where.push('created_at <= ? AND (created_at < ? OR seq < ?)');
    return `SELECT seq, created_at FROM events INDEXED BY ${indexFor(shape)} WHERE ${where.join(' AND ')}`;
  };
  const matching = shape.passed ? arm('?') : `${arm('0')} UNION ALL ${arm('1')}`;
  // CROSS JOIN fixes the loop order: the page (at most `limit` seqs) drives, events and agents are probed by rowid.
  const page = `(${matching} ORDER BY created_at DESC, seq DESC LIMIT ? OFFSET ?) AS page`;
  const order = 'ORDER BY e.created_at DESC, e.seq DESC';
  // The seq names the row's place in recording order: a cursor page ends at the last one.
  return shape.agent
    ? `SELECT ${eventColumns('?')}, e.seq FROM ${page} CROSS JOIN events AS e ON e.seq = page.seq ${order}`
    : `SELECT ${eventColumns('a.agent_id')}, e.seq FROM ${page} CROSS JOIN events AS e ON e.seq = page.seq ` +
        `CROSS JOIN agents AS a ON a.key = e.agent_key ${order}`;
}

export interface PageKeys {
  orgKey: number;
  /** Required when the query filters by agent. */
  agentKey: number | null;
}

/**
 * [agent_id, when filtered by agent]; then per arm: org or agent key, [passed], [from], [to]; the arm's parameters
 * twice when two arms merge; then limit, offset.
 */
export function eventsPageParams(keys: PageKeys, query: PageQuery): SqlValue[] {
  const arm: SqlValue[] = [query.agent_id !== undefined ? keys.agentKey : keys.orgKey];
  if (query.passed !== undefined) arm.push(query.passed ? 1 : 0);
  if (query.from !== undefined) arm.push(query.from);
  if (query.to !== undefined) arm.push(query.to);
  if (query.after !== undefined) arm.push(query.after.created_at, query.after.created_at, query.after.seq);
  const params: SqlValue[] = query.agent_id !== undefined ? [query.agent_id] : [];
  params.push(...arm);
  if (query.passed === undefined) params.push(...arm);
  params.push(nonNegativeInt(query.limit), nonNegativeInt(query.offset ?? 0));
  return params;
}

function nonNegativeInt(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
