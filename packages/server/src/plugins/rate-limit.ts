/**
 * The per-organisation rate limit, counted after authentication (it needs the organisation) and before the body is
 * read, on every route that declares `config.auth`; `config.rateBucket` picks the limit.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuthCache } from '../auth/auth-cache.js';
import { requireAuth, type RateBucket } from '../auth/context.js';
import { ApiError } from '../errors.js';
import type { RateLimiter } from '../ratelimit/index.js';
import type { Organization } from '../store/types.js';
import { appendOnRequest } from './route-hooks.js';

export interface RateLimitPluginOptions {
  cache: AuthCache;
  limiter: RateLimiter;
  /** Requests per rolling minute for an organisation without its own limits. */
  ingestRateLimit: number;
  defaultRateLimit: number;
  now?: () => number;
}

const rateLimitPlugin: FastifyPluginAsync<RateLimitPluginOptions> = async (fastify, options) => {
  const now = options.now ?? Date.now;

  function limitOf(org: Organization | null, bucket: RateBucket): number {
    return bucket === 'ingest' ? org?.ingest_limit ?? options.ingestRateLimit : org?.default_limit ?? options.defaultRateLimit;
  }

  function countAgainst(bucket: RateBucket) {
    return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const { orgId } = requireAuth(request);
      const org = await options.cache.organization(orgId);
      const decision = await options.limiter.consume(`${orgId}:${bucket}`, limitOf(org, bucket), now());
      reply.header('X-RateLimit-Limit', String(decision.limit));
      reply.header('X-RateLimit-Remaining', String(decision.remaining));
      if (!decision.allowed) {
        throw new ApiError('rate_limited', 'rate limit exceeded', { 'Retry-After': String(decision.retryAfterSeconds) });
      }
    };
  }

  fastify.addHook('onRoute', (route) => {
    if (route.config?.auth !== undefined) appendOnRequest(route, countAgainst(route.config.rateBucket ?? 'default'));
  });
};

export default fp(rateLimitPlugin, { name: 'pecta-rate-limit', fastify: '5.x', dependencies: ['pecta-auth'] });
