import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ErrorSchema, EvaluateBody, EvaluateResponse } from '../schemas.js';
import type { GateRecord } from '../store/types.js';
import type { RouteDeps } from './deps.js';

/** POST /v1/evaluate: the default suite server-side, recorded as an event, answered with the new reputation. */
export function evaluateRoutes(deps: RouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.withTypeProvider<ZodTypeProvider>().post('/v1/evaluate', {
      bodyLimit: deps.config.evaluateBodyLimit,
      schema: {
        summary: 'Run the default gate suite (filesystem, pii, content) on one output',
        body: EvaluateBody,
        response: { 200: EvaluateResponse, '4xx': ErrorSchema },
      },
      handler: async (request) => {
        const { orgId } = request.auth!;
        const body = request.body;
        const result = await deps.engine.evaluate({
          agent_id: body.agent_id,
          tool: body.tool,
          input: body.input,
          output: body.output,
          latency_ms: body.latency_ms,
        });
        // The data boundary: only verdict metadata goes to the store, never input, output or gate details.
        const gates: GateRecord[] = result.gates.map(toGateRecord);
        const recorded = await deps.store.recordEvents(orgId, [
          {
            evaluation_id: result.evaluation_id,
            event_id: null,
            agent_id: body.agent_id,
            tool_name: body.tool ?? null,
            passed: result.passed,
            gates,
            total_latency_ms: result.total_latency_ms,
            latency_ms: body.latency_ms ?? null,
            created_at: Date.parse(result.created_at),
          },
        ]);
        const { agent_id: _agent, ...reputation } = recorded.reputations[0]!;
        return {
          evaluation_id: result.evaluation_id,
          passed: result.passed,
          gates,
          total_latency_ms: result.total_latency_ms,
          reputation,
        };
      },
    });
  };
}

export function toGateRecord(g: { name: string; passed: boolean; latency_ms?: number; reason?: string; skipped?: boolean; aborted?: boolean }): GateRecord {
  const out: GateRecord = { name: g.name, passed: g.passed, latency_ms: g.latency_ms ?? 0 };
  if (g.reason !== undefined) out.reason = g.reason;
  if (g.skipped) out.skipped = true;
  if (g.aborted) out.aborted = true;
  return out;
}
