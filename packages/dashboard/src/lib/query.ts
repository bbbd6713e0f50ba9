/** The events page's state lives in its URL: `?agent_id=&passed=&page=`. Pure, so that it can be unit-tested. */

export const EVENTS_PAGE_SIZE = 100;
/** The API accepts offsets up to 100,000. */
export const MAX_EVENTS_PAGE = Math.floor(100_000 / EVENTS_PAGE_SIZE) + 1;

export interface EventsFilter {
  agent_id: string;
  passed: boolean | undefined;
  page: number;
}

export function parseEventsSearch(search: string): EventsFilter {
  const params = new URLSearchParams(search);
  const passedRaw = params.get('passed');
  const pageRaw = Number(params.get('page') ?? '1');
  return {
    agent_id: params.get('agent_id') ?? '',
    passed: passedRaw === 'true' ? true : passedRaw === 'false' ? false : undefined,
    page: Number.isInteger(pageRaw) && pageRaw >= 1 ? Math.min(pageRaw, MAX_EVENTS_PAGE) : 1,
  };
}

export function eventsPath(query: { agent_id?: string; passed?: boolean; page?: number }): string {
  const params = new URLSearchParams();
  if (query.agent_id) params.set('agent_id', query.agent_id);
  if (query.passed !== undefined) params.set('passed', String(query.passed));
  if (query.page !== undefined && query.page > 1) params.set('page', String(query.page));
  const search = params.toString();
  return search ? `/events?${search}` : '/events';
}
