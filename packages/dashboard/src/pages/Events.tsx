import { useEffect, useRef, useState } from 'preact/hooks';
import { EventsTable } from '../components/EventsTable.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { api } from '../lib/api.js';
import { count } from '../lib/format.js';
import { useDocumentTitle, useLoad } from '../lib/hooks.js';
import { CursorTrail, EVENTS_PAGE_SIZE as PAGE_SIZE, eventsPath, parseEventsSearch } from '../lib/query.js';
import { navigate } from '../lib/router.js';

const TYPING_DELAY_MS = 300;
/** Lives as long as the tab, so Previous works across visits to other pages. */
const trail = new CursorTrail();

type Outcome = 'all' | 'passed' | 'failed';
const toOutcome = (passed: boolean | undefined): Outcome => (passed === undefined ? 'all' : passed ? 'passed' : 'failed');
const fromOutcome = (outcome: string): boolean | undefined => (outcome === 'passed' ? true : outcome === 'failed' ? false : undefined);

export function EventsPage({ search }: { search: string }) {
  useDocumentTitle('Events');
  const filter = parseEventsSearch(search);
  const { agent_id, passed, page, cursor } = filter;
  trail.remember(filter);

  // The text box leads the URL by up to TYPING_DELAY_MS; `pushed` tells our own URL updates from Back/Forward.
  const [draft, setDraft] = useState(agent_id);
  const pushed = useRef(agent_id);
  useEffect(() => {
    if (agent_id !== pushed.current) {
      pushed.current = agent_id;
      setDraft(agent_id);
    }
  }, [agent_id]);
  useEffect(() => {
    if (draft === pushed.current) return;
    const timer = setTimeout(() => {
      pushed.current = draft;
      // A new filter starts again at the first page; typing replaces the history entry instead of adding one.
      navigate(eventsPath({ agent_id: draft, passed }), { replace: true });
    }, TYPING_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draft, passed]);

  const result = useLoad(
    (signal) => api.events({ limit: PAGE_SIZE, cursor, agent_id: agent_id || undefined, passed }, signal),
    [agent_id, passed, cursor],
  );

  const events = result.data?.events ?? [];
  const first = (page - 1) * PAGE_SIZE + 1;
  const filtered = agent_id !== '' || passed !== undefined;
  const nextCursor = result.state === 'ok' ? result.data.next_cursor : null;
  const previous = trail.previous(filter);
  const goNext = () => nextCursor !== null && navigate(eventsPath({ agent_id, passed, page: page + 1, cursor: nextCursor }));
  const goPrevious = () => previous && navigate(eventsPath({ agent_id, passed, ...previous }));
  const goNewest = () => navigate(eventsPath({ agent_id, passed }));

  return (
    <section>
      <div class="page-head">
        <h1 tabIndex={-1}>Events</h1>
        <button type="button" class="button button-quiet page-action" onClick={result.reload} disabled={result.state === 'loading'}>
          Refresh
        </button>
      </div>
      <form class="filters" role="search" aria-label="Filter events" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="filter-agent">Agent id</label>
          <input
            id="filter-agent"
            class="input"
            type="search"
            value={draft}
            maxLength={200}
            placeholder="exact agent id"
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => setDraft((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="filter-outcome">Outcome</label>
          <select
            id="filter-outcome"
            class="input"
            value={toOutcome(passed)}
            onChange={(e) => {
              pushed.current = draft;
              navigate(eventsPath({ agent_id: draft, passed: fromOutcome((e.currentTarget as HTMLSelectElement).value) }), { replace: true });
            }}
          >
            <option value="all">All</option>
            <option value="passed">Passed</option>
            <option value="failed">Failed (blocked)</option>
          </select>
        </div>
      </form>

      {result.state === 'error' && <ErrorState error={result.error} onRetry={result.reload} />}
      {result.state === 'loading' && !result.data && <Loading label="Loading events…" />}
      {result.data && events.length === 0 && result.state !== 'loading' && (
        <Empty title={page > 1 ? 'No more events' : filtered ? 'No events match these filters' : 'No events yet'}>
          {page === 1 && !filtered && <p>Events appear here as agents are evaluated (evaluate, ingest, SDK telemetry or the proxy).</p>}
        </Empty>
      )}
      {result.data && events.length > 0 && (
        <>
          <p class="muted small" aria-live="polite" data-testid="events-range">
            Showing events {count(first)}–{count(first + events.length - 1)}
            {agent_id ? ` of ${agent_id}` : ''}
            {passed === undefined ? '' : passed ? ', passed only' : ', blocked only'}
          </p>
          <EventsTable events={events} caption={`Events, page ${page}`} busy={result.state === 'loading'} />
        </>
      )}
      {result.data && (page > 1 || nextCursor !== null) && (
        <nav class="pager" aria-label="Pagination">
          {page > 2 && (
            <button type="button" class="button button-quiet" onClick={goNewest} aria-label="Newest events">
              ⇤ Newest
            </button>
          )}
          <button type="button" class="button" onClick={goPrevious} disabled={previous === null} aria-label="Previous page">
            ← Previous
          </button>
          <span aria-current="page">Page {page}</span>
          <button type="button" class="button" onClick={goNext} disabled={nextCursor === null} aria-label="Next page">
            Next →
          </button>
        </nav>
      )}
    </section>
  );
}
