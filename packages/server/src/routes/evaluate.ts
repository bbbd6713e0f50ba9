import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireAuth } from '../auth/context.js';
import { EVALUATE_PATH, evaluateBody, type Evaluated } from '../evaluation/evaluate-body.js';
import { DeferredBody } from '../http/deferred-body.js';
import { ErrorSchema, EvaluateBody, EvaluateResponse } from '../schemas.js';
import type { RouteDeps } from './deps.js';

/** POST /v1/evaluate: the default suite server-side, recorded as an event, answered with the new reputation. */
export function evaluateRoutes(deps: RouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.withTypeProvider<ZodTypeProvider>().post(EVALUATE_PATH, {
      bodyLimit: deps.config.evaluateBodyLimit,
      config: { auth: 'publishable' },
      schema: {
        summary: 'Run the default gate suite (filesystem, pii, content) on one output',
        body: EvaluateBody,
        response: { 200: EvaluateResponse, '4xx': ErrorSchema },
      },
      handler: async (request) => {
        const { orgId } = requireAuth(request);
        const body: unknown = request.body;
        const evaluated: Evaluated =
          body instanceof DeferredBody ? await deps.evaluations.evaluate(body.raw) : await evaluateBody(deps.engine, request.body);
        // The data boundary: only verdict metadata goes to the store, never input, output or gate details.
        const recorded = await deps.store.recordEvents(orgId, [{ ...evaluated, event_id: null }]);
        const { agent_id: _agent, ...reputation } = recorded.reputations[0]!;
        return {
          evaluation_id: evaluated.evaluation_id,
          passed: evaluated.passed,
          gates: evaluated.gates,
          total_latency_ms: evaluated.total_latency_ms,
          reputation,
        };
      },
    });
  };
}
