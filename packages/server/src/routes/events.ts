import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireAuth } from '../auth/context.js';
import { ErrorSchema, EventsQuery, EventsResponse, parseIsoDateTime } from '../schemas.js';
import { ApiError } from '../errors.js';
import { decodeCursor, encodeCursor } from '../http/event-cursor.js';
import type { EventPosition } from '../store/types.js';
import { iso, type RouteDeps } from './deps.js';

/** GET /v1/events: newest first, filtered, paged by cursor (or offset); `count < limit` marks the last page. */
export function eventsRoutes(deps: RouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.withTypeProvider<ZodTypeProvider>().get('/v1/events', {
      config: { auth: 'publishable' },
      schema: {
        summary: 'List evaluation events, newest first',
        querystring: EventsQuery,
        response: { 200: EventsResponse, '4xx': ErrorSchema },
      },
      handler: async (request) => {
        const q = request.query;
        const filters = {
          limit: q.limit,
          agent_id: q.agent_id,
          passed: q.passed === undefined ? undefined : q.passed === 'true',
          from: q.from === undefined ? undefined : parseIsoDateTime(q.from)!,
          to: q.to === undefined ? undefined : parseIsoDateTime(q.to)!,
        };
        let after: EventPosition | undefined;
        if (q.cursor !== undefined) {
          after = decodeCursor(q.cursor) ?? undefined;
          if (after === undefined) throw new ApiError('validation_error', 'cursor: is not a next_cursor this server issued');
        }
        // A cursor page costs the same at any depth; an offset page (kept for compatibility) still hands out the cursor
        // of its last event, so a client can switch.
        const { events, next } = await deps.store.pageEvents(requireAuth(request).orgId, { ...filters, offset: q.offset, after });
        return {
          events: events.map((e) => ({
            evaluation_id: e.evaluation_id,
            agent_id: e.agent_id,
            tool_name: e.tool_name,
            passed: e.passed,
            gates: e.gates,
            total_latency_ms: e.total_latency_ms,
            latency_ms: e.latency_ms,
            reputation_score: e.reputation_score,
            created_at: iso(e.created_at),
          })),
          limit: q.limit,
          offset: q.offset,
          count: events.length,
          next_cursor: next === null ? null : encodeCursor(next),
        };
      },
    });
  };
}
