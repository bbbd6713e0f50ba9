/**
 * The events page's state lives in its URL: `?agent_id=&passed=&page=&cursor=`. Pages after the first are reached by
 * the API's cursor, so any depth costs the same; `page` only numbers the rows shown. Pure, so that it can be
 * unit-tested.
 */

export const EVENTS_PAGE_SIZE = 100;

/** The shape of the API's next_cursor; anything else in the URL is ignored rather than sent. */
const CURSOR = /^[A-Za-z0-9_-]{1,80}$/;

export interface EventsFilter {
  agent_id: string;
  passed: boolean | undefined;
  /** 1 for the newest page; a later page always comes with its cursor. */
  page: number;
  cursor: string | undefined;
}

export function parseEventsSearch(search: string): EventsFilter {
  const params = new URLSearchParams(search);
  const passedRaw = params.get('passed');
  const cursorRaw = params.get('cursor') ?? '';
  const cursor = CURSOR.test(cursorRaw) ? cursorRaw : undefined;
  const pageRaw = Number(params.get('page') ?? '');
  return {
    agent_id: params.get('agent_id') ?? '',
    passed: passedRaw === 'true' ? true : passedRaw === 'false' ? false : undefined,
    page: cursor === undefined ? 1 : Number.isSafeInteger(pageRaw) && pageRaw >= 2 ? pageRaw : 2,
    cursor,
  };
}

export function eventsPath(query: { agent_id?: string; passed?: boolean; page?: number; cursor?: string }): string {
  const params = new URLSearchParams();
  if (query.agent_id) params.set('agent_id', query.agent_id);
  if (query.passed !== undefined) params.set('passed', String(query.passed));
  if (query.cursor !== undefined && query.page !== undefined && query.page > 1) {
    params.set('page', String(query.page));
    params.set('cursor', query.cursor);
  }
  const search = params.toString();
  return search ? `/events?${search}` : '/events';
}

/**
 * The cursors of the pages this tab has visited, per filter, so that Previous can go back one page: the API's cursors
 * only lead to older events. A page opened from a shared URL has no known predecessor until the trail reaches it.
 */
export class CursorTrail {
  private readonly trails = new Map<string, Map<number, string>>();

  private trail(filter: Pick<EventsFilter, 'agent_id' | 'passed'>): Map<number, string> {
    const key = JSON.stringify([filter.agent_id, filter.passed ?? null]);
    let trail = this.trails.get(key);
    if (!trail) {
      trail = new Map();
      this.trails.set(key, trail);
    }
    return trail;
  }

  remember(filter: EventsFilter): void {
    if (filter.cursor !== undefined) this.trail(filter).set(filter.page, filter.cursor);
  }

  /** The way back to the page before `filter.page`, or null when this tab never saw it. */
  previous(filter: EventsFilter): { page: number; cursor: string | undefined } | null {
    if (filter.page <= 1) return null;
    if (filter.page === 2) return { page: 1, cursor: undefined };
    const cursor = this.trail(filter).get(filter.page - 1);
    return cursor === undefined ? null : { page: filter.page - 1, cursor };
  }
}
