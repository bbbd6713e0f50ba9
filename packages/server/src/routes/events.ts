import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireAuth } from '../auth/context.js';
import { ErrorSchema, EventSchema, EventsExportQuery, EventsQuery, EventsResponse, parseIsoDateTime } from '../schemas.js';
import { ApiError } from '../errors.js';
import { decodeCursor, encodeCursor } from '../http/event-cursor.js';
import type { EventPosition, PageQuery, Store, StoredEvent } from '../store/types.js';
import { iso, type RouteDeps } from './deps.js';

/** Events read per store call while an export streams: one page of the reader, then the next. */
const EXPORT_PAGE = 1000;

type Filters = Pick<PageQuery, 'agent_id' | 'passed' | 'from' | 'to'>;

function filtersOf(q: { agent_id?: string; passed?: 'true' | 'false'; from?: string; to?: string }): Filters {
  return {
    agent_id: q.agent_id,
    passed: q.passed === undefined ? undefined : q.passed === 'true',
    from: q.from === undefined ? undefined : parseIsoDateTime(q.from)!,
    to: q.to === undefined ? undefined : parseIsoDateTime(q.to)!,
  };
}

/** An event as the API shows it: the same fields in GET /v1/events and in the export. */
function eventBody(e: StoredEvent) {
  return {
    evaluation_id: e.evaluation_id,
    agent_id: e.agent_id,
    tool_name: e.tool_name,
    passed: e.passed,
    gates: e.gates,
    total_latency_ms: e.total_latency_ms,
    latency_ms: e.latency_ms,
    reputation_score: e.reputation_score,
    created_at: iso(e.created_at),
  };
}

/**
 * The selection, newest first, as NDJSON lines, read a page at a time by cursor: memory stays at one page whatever
 * the size of the history, and the stream pulls the next page only when the client has taken the last one.
 */
async function* exportLines(store: Store, orgId: string, filters: Filters): AsyncGenerator<string> {
  let after: EventPosition | undefined;
  for (;;) {
    const { events, next } = await store.pageEvents(orgId, { ...filters, limit: EXPORT_PAGE, after });
    if (events.length > 0) yield events.map((e) => `${JSON.stringify(EventSchema.parse(eventBody(e)))}\n`).join('');
    if (next === null) return;
    after = next;
  }
}

/** GET /v1/events: newest first, filtered, paged by cursor (or offset); `count < limit` marks the last page. */
export function eventsRoutes(deps: RouteDeps): FastifyPluginAsync {
  return async (app) => {
    const api = app.withTypeProvider<ZodTypeProvider>();

    api.get('/v1/events', {
      config: { auth: 'publishable' },
      schema: {
        summary: 'List evaluation events, newest first',
        querystring: EventsQuery,
        response: { 200: EventsResponse, '4xx': ErrorSchema },
      },
      handler: async (request) => {
        const q = request.query;
        let after: EventPosition | undefined;
        if (q.cursor !== undefined) {
          after = decodeCursor(q.cursor) ?? undefined;
          if (after === undefined) throw new ApiError('validation_error', 'cursor: is not a next_cursor this server issued');
        }
        // A cursor page costs the same at any depth; an offset page (kept for compatibility) still hands out the cursor
        // of its last event, so a client can switch.
        const { events, next } = await deps.store.pageEvents(requireAuth(request).orgId, { ...filtersOf(q), limit: q.limit, offset: q.offset, after });
        return {
          events: events.map(eventBody),
          limit: q.limit,
          offset: q.offset,
          count: events.length,
          next_cursor: next === null ? null : encodeCursor(next),
        };
      },
    });

    api.get('/v1/events/export', {
      config: { auth: 'secret' },
      schema: {
        summary: 'Every event matching the filters, newest first, streamed as NDJSON (secret key)',
        querystring: EventsExportQuery,
        response: {
          200: { description: 'One event per line, as in GET /v1/events', content: { 'application/x-ndjson': { schema: EventSchema } } },
          '4xx': ErrorSchema,
        },
      },
      handler: async (request, reply) => {
        const orgId = requireAuth(request).orgId;
        reply.type('application/x-ndjson; charset=utf-8');
        reply.header('Content-Disposition', 'attachment; filename="pecta-events.ndjson"');
        // A stream is sent as it is (no serializer); each line was checked against EventSchema as it was written.
        return reply.send(Readable.from(exportLines(deps.store, orgId, filtersOf(request.query))) as never);
      },
    });
  };
}
