import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { MAX_AGENTS_LISTED } from '@pecta/core/wire';
import { requireAuth } from '../auth/context.js';
import { ApiError } from '../errors.js';
import { EMPTY_REPUTATION } from '../reputation.js';
import {
  AgentParams,
  AgentsResponse,
  ErrorSchema,
  DeleteAgentResponse,
  RegisterAgentBody,
  RegisterAgentResponse,
  ReputationResponse,
} from '../schemas.js';
import { iso, type RouteDeps } from './deps.js';

/** GET/POST /v1/agents and GET /v1/reputation/:agentId. */
export function agentRoutes(deps: RouteDeps): FastifyPluginAsync {
  return async (app) => {
    const api = app.withTypeProvider<ZodTypeProvider>();

    api.get('/v1/reputation/:agentId', {
      config: { auth: 'publishable' },
      schema: {
        summary: "An agent's reputation over its last 500 evaluations (zeros and status new when never seen)",
        params: AgentParams,
        response: { 200: ReputationResponse, '4xx': ErrorSchema },
      },
      handler: async (request) => {
        const { agentId } = request.params;
        const r = await deps.store.getReputation(requireAuth(request).orgId, agentId);
        const rep = r ?? EMPTY_REPUTATION;
        return {
          agent_id: agentId,
          score: rep.score,
          evaluations: rep.evaluations,
          passed: rep.passed,
          pass_rate: rep.pass_rate,
          avg_latency_ms: rep.avg_latency_ms,
          streak: rep.streak,
          status: rep.status,
        };
      },
    });

    api.get('/v1/agents', {
      config: { auth: 'publishable' },
      schema: {
        summary: 'Agents of the organisation, most recently seen first (at most 500)',
        response: { 200: AgentsResponse, '4xx': ErrorSchema },
      },
      handler: async (request) => {
        const agents = await deps.store.listAgents(requireAuth(request).orgId, MAX_AGENTS_LISTED);
        return {
          agents: agents.map((a) => ({
            agent_id: a.agent_id,
            first_seen: iso(a.first_seen),
            last_seen: iso(a.last_seen),
            eval_count: a.eval_count,
            score: a.score,
            status: a.status,
            evaluations: a.evaluations,
          })),
        };
      },
    });

    api.post('/v1/agents', {
      config: { auth: 'publishable' },
      schema: {
        summary: 'Register an agent before its first evaluation (idempotent)',
        body: RegisterAgentBody,
        response: { 201: RegisterAgentResponse, '4xx': ErrorSchema },
      },
      handler: async (request, reply) => {
        await deps.store.registerAgent(requireAuth(request).orgId, request.body.agent_id, deps.now());
        reply.code(201);
        return { agent_id: request.body.agent_id, ok: true as const };
      },
    });

    api.delete('/v1/agents/:agentId', {
      config: { auth: 'secret' },
      schema: {
        summary: 'Delete an agent with all its events and its reputation (secret key)',
        params: AgentParams,
        response: { 200: DeleteAgentResponse, '4xx': ErrorSchema },
      },
      handler: async (request) => {
        const { agentId } = request.params;
        const deleted = await deps.store.deleteAgent(requireAuth(request).orgId, agentId);
        if (deleted === null) throw new ApiError('not_found', 'this organisation has no agent with that id');
        return { agent_id: agentId, deleted: true as const, events: deleted.events };
      },
    });
  };
}
