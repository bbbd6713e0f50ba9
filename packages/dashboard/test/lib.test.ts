/** The dashboard's pure logic: formats, score labels and bands, URL state, sorting, per-agent figures. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentSummary, EvaluationEvent } from '../src/lib/api.js';
import { latency, percent, scoreBand, scoreLabel, timeAgo, utcMinutes, utcSeconds, utcTicks } from '../src/lib/format.js';
import { CursorTrail, eventsPath, parseEventsSearch } from '../src/lib/query.js';
import { sortAgents } from '../src/lib/sort.js';
import { countGateFailures, scorePoints } from '../src/lib/stats.js';

describe('formats', () => {
  it('shows times in UTC to the second', () => {
    assert.equal(utcSeconds('2026-11-25T17:11:26.696Z'), '2026-11-25 17:11:26');
    assert.equal(utcSeconds('2026-01-05T23:59:59.999+02:00'), '2026-01-05 21:59:59');
    assert.equal(utcMinutes('2026-11-25T07:01:26.696Z'), '2026-11-25 07:01');
    assert.equal(utcSeconds('not a time'), 'not a time');
  });

  it('says how long ago, in the largest whole unit', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    assert.equal(timeAgo('2026-11-25T11:59:30Z', now), 'just now');
    assert.equal(timeAgo('2026-11-25T11:55:00Z', now), '5 minutes ago');
    assert.equal(timeAgo('2026-11-25T09:00:00Z', now), '3 hours ago');
    assert.equal(timeAgo('2026-11-24T12:00:00Z', now), 'yesterday');
  });

  it('formats latencies and rates', () => {
    assert.equal(latency(null), '—');
    assert.equal(latency(0.4213), '0.42 ms');
    assert.equal(latency(12.34), '12.3 ms');
    assert.equal(latency(438), '438 ms');
    assert.equal(latency(1830), '1.83 s');
    assert.equal(percent(0.6412), '64.1%');
    assert.equal(percent(1), '100.0%');
  });

  it('labels 24-hour UTC ticks, with the date where the day changes', () => {
    const at = (iso: string) => Date.parse(iso) / 1000;
    assert.deepEqual(utcTicks([at('2026-11-24T20:00:00Z'), at('2026-11-24T22:00:00Z'), at('2026-11-25T00:00:00Z')]), [
      '20:00\n11-24',
      '22:00',
      '00:00\n11-25',
    ]);
    assert.deepEqual(utcTicks([at('2026-11-01T00:00:00Z'), at('2026-11-08T00:00:00Z')]), ['11-01', '11-08']);
  });
});

describe('scores', () => {
  it('shows N/50 while calibrating and the score after', () => {
    assert.equal(scoreLabel(0, 'new', 0), '0/50');
    assert.equal(scoreLabel(640, 'calibrating', 12), '12/50');
    assert.equal(scoreLabel(640, 'active', 50), '640');
    assert.equal(scoreLabel(999, 'mature', 500), '999');
  });

  it('colours by band, at the documented boundaries', () => {
    assert.equal(scoreBand(900, 'calibrating'), 'calibrating');
    assert.equal(scoreBand(800, 'active'), 'excellent');
    assert.equal(scoreBand(799, 'active'), 'good');
    assert.equal(scoreBand(600, 'mature'), 'good');
    assert.equal(scoreBand(599, 'active'), 'fair');
    assert.equal(scoreBand(400, 'active'), 'fair');
    assert.equal(scoreBand(399, 'active'), 'poor');
    assert.equal(scoreBand(0, 'active'), 'poor');
  });
});

describe('events URL', () => {
  const C = 'YzEuMTcwMDAwMDAwMDAwMC40Mg';
  it('reads filters, page and cursor, ignoring what it does not understand', () => {
    assert.deepEqual(parseEventsSearch(''), { agent_id: '', passed: undefined, page: 1, cursor: undefined });
    assert.deepEqual(parseEventsSearch(`?agent_id=a%20b&passed=false&page=3&cursor=${C}`), { agent_id: 'a b', passed: false, page: 3, cursor: C });
    assert.deepEqual(parseEventsSearch('?passed=true'), { agent_id: '', passed: true, page: 1, cursor: undefined });
    assert.equal(parseEventsSearch('?passed=yes').passed, undefined);
    assert.equal(parseEventsSearch('?page=3').page, 1, 'a later page cannot be fetched without its cursor');
    for (const bad of ['page=0', 'page=-2', 'page=1.5', 'page=x', 'page=', 'page=1']) {
      assert.equal(parseEventsSearch(`?${bad}&cursor=${C}`).page, 2, `${bad}: a cursor is at least the second page`);
    }
    for (const bad of ['a.b', 'a b', 'x'.repeat(81), '', '%E2%80%8B']) {
      assert.deepEqual(parseEventsSearch(`?page=4&cursor=${bad}`), { agent_id: '', passed: undefined, page: 1, cursor: undefined }, bad);
    }
    assert.equal(parseEventsSearch(`?page=999999999&cursor=${C}`).page, 999999999, 'no depth limit: cursors cost the same at any depth');
  });

  it('writes only what is set, and round-trips', () => {
    assert.equal(eventsPath({}), '/events');
    assert.equal(eventsPath({ agent_id: '', page: 1 }), '/events');
    assert.equal(eventsPath({ page: 2 }), '/events', 'a page without its cursor is the first page');
    assert.equal(eventsPath({ agent_id: 'bot/1 &x', passed: false, page: 2, cursor: C }), `/events?agent_id=bot%2F1+%26x&passed=false&page=2&cursor=${C}`);
    const state = { agent_id: 'bot/1 &x', passed: true, page: 7, cursor: C };
    assert.deepEqual(parseEventsSearch(eventsPath(state).slice('/events'.length)), state);
  });
});

describe('cursor trail', () => {
  const at = (page: number, cursor: string | undefined, agent_id = '', passed?: boolean) => ({ agent_id, passed, page, cursor });
  it('leads back one page only to pages this tab has seen, per filter', () => {
    const trail = new CursorTrail();
    assert.equal(trail.previous(at(1, undefined)), null, 'nothing before the newest page');
    assert.deepEqual(trail.previous(at(2, 'b')), { page: 1, cursor: undefined }, 'the first page needs no cursor');
    assert.equal(trail.previous(at(5, 'e')), null, 'a page opened from a URL has no known predecessor');
    trail.remember(at(2, 'b'));
    trail.remember(at(3, 'c'));
    assert.deepEqual(trail.previous(at(3, 'c')), { page: 2, cursor: 'b' });
    assert.deepEqual(trail.previous(at(4, 'd')), { page: 3, cursor: 'c' });
    assert.equal(trail.previous(at(3, 'c', 'other-agent')), null, 'another filter has its own trail');
    assert.equal(trail.previous(at(3, 'c', '', false)), null);
    trail.remember(at(1, undefined));
    assert.deepEqual(trail.previous(at(3, 'c')), { page: 2, cursor: 'b' }, 'the first page does not overwrite anything');
  });
});

describe('agents table order', () => {
  const agent = (agent_id: string, eval_count: number, last_seen: string, score: number, status: AgentSummary['status'], evaluations: number): AgentSummary => ({
    agent_id,
    eval_count,
    last_seen,
    first_seen: '2026-01-01T00:00:00.000Z',
    score,
    status,
    evaluations,
  });
  const agents = [
    agent('b', 60, '2026-01-03', 700, 'active', 60),
    agent('a', 12, '2026-01-05', 900, 'calibrating', 12),
    agent('c', 500, '2026-01-04', 450, 'mature', 500),
    agent('d', 0, '2026-01-02', 0, 'new', 0),
    agent('e', 9, '2026-01-01', 0, 'new', 0),
  ];
  const ids = (list: AgentSummary[]) => list.map((a) => a.agent_id);

  it('puts scored agents above calibrating ones, whatever their raw score', () => {
    assert.deepEqual(ids(sortAgents(agents, 'score', 'descending')), ['b', 'c', 'a', 'd', 'e']);
    assert.deepEqual(ids(sortAgents(agents, 'score', 'ascending')), ['d', 'e', 'a', 'c', 'b'], 'ties fall back to the agent id');
  });

  it('sorts by every other column', () => {
    assert.deepEqual(ids(sortAgents(agents, 'last_seen', 'descending')), ['a', 'c', 'b', 'd', 'e']);
    assert.deepEqual(ids(sortAgents(agents, 'evaluations', 'descending')), ['c', 'b', 'a', 'e', 'd']);
    assert.deepEqual(ids(sortAgents(agents, 'agent', 'descending')), ['e', 'd', 'c', 'b', 'a']);
    assert.deepEqual(ids(sortAgents(agents, 'status', 'ascending')), ['d', 'e', 'a', 'b', 'c']);
    assert.deepEqual(ids(sortAgents(agents, 'first_seen', 'ascending')), ['a', 'b', 'c', 'd', 'e'], 'ties fall back to the agent id');
    assert.deepEqual(ids(agents), ['b', 'a', 'c', 'd', 'e'], 'the input is not reordered');
  });
});

describe('agent figures', () => {
  const event = (created_at: string, reputation_score: number, gates: EvaluationEvent['gates'] = []): EvaluationEvent => ({
    evaluation_id: `ev_${created_at}_${reputation_score}`,
    agent_id: 'x',
    tool_name: null,
    passed: gates.every((g) => g.passed || g.skipped),
    gates,
    total_latency_ms: null,
    latency_ms: null,
    reputation_score,
    created_at,
  });

  it('counts failures per gate, most frequent first; skipped gates are not failures', () => {
    const fail = (name: string) => ({ name, passed: false, latency_ms: 0 });
    const events = [
      event('2026-01-01T00:00:03Z', 1, [fail('pii'), fail('content')]),
      event('2026-01-01T00:00:02Z', 1, [fail('pii'), { name: 'schema', passed: false, skipped: true, latency_ms: 0 }]),
      event('2026-01-01T00:00:01Z', 1, [{ name: 'pii', passed: true, latency_ms: 0 }, fail('apple')]),
    ];
    assert.deepEqual(countGateFailures(events), [
      { name: 'pii', failures: 2 },
      { name: 'apple', failures: 1 },
      { name: 'content', failures: 1 },
    ]);
    assert.deepEqual(countGateFailures([]), []);
  });

  it('orders score points oldest first, keeping recording order within one timestamp', () => {
    const points = scorePoints([
      event('2026-01-01T00:00:05Z', 30),
      event('2026-01-01T00:00:02Z', 20),
      event('2026-01-01T00:00:02Z', 10),
      event('garbage', 99),
    ]);
    assert.deepEqual(points, [
      { t: Date.parse('2026-01-01T00:00:02Z') / 1000, score: 10 },
      { t: Date.parse('2026-01-01T00:00:02Z') / 1000, score: 20 },
      { t: Date.parse('2026-01-01T00:00:05Z') / 1000, score: 30 },
    ]);
  });
});
