import { useEffect, useRef, useState } from 'preact/hooks';
import { EventsTable } from '../components/EventsTable.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { api } from '../lib/api.js';
import { count } from '../lib/format.js';
import { useDocumentTitle, useLoad } from '../lib/hooks.js';
import { EVENTS_PAGE_SIZE as PAGE_SIZE, eventsPath, MAX_EVENTS_PAGE as MAX_PAGE, parseEventsSearch } from '../lib/query.js';
import { navigate } from '../lib/router.js';

const TYPING_DELAY_MS = 300;

type Outcome = 'all' | 'passed' | 'failed';
const toOutcome = (passed: boolean | undefined): Outcome => (passed === undefined ? 'all' : passed ? 'passed' : 'failed');
const fromOutcome = (outcome: string): boolean | undefined => (outcome === 'passed' ? true : outcome === 'failed' ? false : undefined);

export function EventsPage({ search }: { search: string }) {
  useDocumentTitle('Events');
  const filter = parseEventsSearch(search);
  const { agent_id, passed, page } = filter;

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
    (signal) => api.events({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, agent_id: agent_id || undefined, passed }, signal),
    [agent_id, passed, page],
  );

  const goToPage = (next: number) => navigate(eventsPath({ agent_id, passed, page: next }));
  const events = result.data?.events ?? [];
  const first = (page - 1) * PAGE_SIZE + 1;
  const filtered = agent_id !== '' || passed !== undefined;
  const hasNext = result.state === 'ok' && result.data.count === PAGE_SIZE && page < MAX_PAGE;

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
      {result.data && (page > 1 || hasNext) && (
        <nav class="pager" aria-label="Pagination">
          <button type="button" class="button" onClick={() => goToPage(page - 1)} disabled={page <= 1} aria-label="Previous page">
            ← Previous
          </button>
          <span aria-current="page">Page {page}</span>
          <button type="button" class="button" onClick={() => goToPage(page + 1)} disabled={!hasNext} aria-label="Next page">
            Next →
          </button>
        </nav>
      )}
    </section>
  );
}
