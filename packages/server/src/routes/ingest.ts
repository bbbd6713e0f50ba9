import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { newEvaluationId } from '@pecta/core';
import { MAX_FUTURE_SKEW_MS, toWireGate } from '@pecta/core/wire';
import { requireAuth } from '../auth/context.js';
import { ApiError } from '../errors.js';
import { ErrorSchema, IngestBody, IngestResponse, parseIsoDateTime } from '../schemas.js';
import type { NewEvent } from '../store/types.js';
import type { RouteDeps } from './deps.js';

/** Timestamps further than this in the future are refused: they would sit on top of every listing for good. */

/** POST /v1/ingest: gate results produced elsewhere (SDK, proxy, custom), 1–100 per request. */
export function ingestRoutes(deps: RouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.withTypeProvider<ZodTypeProvider>().post('/v1/ingest', {
      bodyLimit: deps.config.ingestBodyLimit,
      config: { auth: 'publishable', rateBucket: 'ingest', signedIngest: true },
      schema: {
        summary: 'Record a batch of evaluation events',
        body: IngestBody,
        response: { 202: IngestResponse, '4xx': ErrorSchema },
      },
      handler: async (request, reply) => {
        const { orgId } = requireAuth(request);
        const now = deps.now();
        const events: NewEvent[] = request.body.events.map((e, i) => {
          const created_at = e.timestamp === undefined ? now : parseIsoDateTime(e.timestamp)!;
          if (created_at > now + MAX_FUTURE_SKEW_MS) {
            throw new ApiError('validation_error', `events.${i}.timestamp: is more than 24 hours in the future`);
          }
          const gates = (e.gates ?? []).map(toWireGate);
          return {
            evaluation_id: newEvaluationId(now),
            event_id: e.event_id ?? null,
            agent_id: e.agent_id,
            tool_name: e.tool ?? null,
            // Skipped gates count as passing (docs/sdk.md), so a derived verdict matches what the engine would say.
            passed: e.passed ?? gates.every((g) => g.passed || g.skipped === true),
            gates,
            total_latency_ms: e.total_latency_ms ?? slowestReportedGate(e.gates),
            latency_ms: e.latency_ms ?? null,
            created_at,
          };
        });
        const recorded = await deps.store.recordEvents(orgId, events);
        const duplicates = recorded.events.filter((e) => e.duplicate).length;
        reply.code(202);
        return {
          accepted: events.length,
          duplicates,
          reputation_updates: recorded.reputations.map((r) => ({
            agent_id: r.agent_id,
            score: r.score,
            status: r.status,
            evaluations: r.evaluations,
          })),
        };
      },
    });
  };
}

/**
 * Gates run in parallel, so without a reported total the slowest gate is the best estimate of it. Only gates that
 * reported a latency count: a gate without one is stored as 0 ms, and an estimate made of those alone would turn "not
 * measured" into "instant", which is worth the whole latency score.
 */
function slowestReportedGate(gates: ReadonlyArray<{ latency_ms?: number | undefined }> | undefined): number | null {
  let slowest: number | null = null;
  for (const g of gates ?? []) if (g.latency_ms !== undefined && (slowest === null || g.latency_ms > slowest)) slowest = g.latency_ms;
  return slowest;
}
