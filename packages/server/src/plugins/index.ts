/**
 * The auth plugins, registered in the order their checks run on a request: key lookup → rate limit → key type →
 * signature. Each attaches its check (an onRequest hook) to the routes whose `config` asks for it, so a route says
 * what it needs where it is defined, and the store and limiter behind the checks are chosen here, once.
 */
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import auth, { type AuthPluginOptions } from './auth.js';
import keyType from './key-type.js';
import rateLimit, { type RateLimitPluginOptions } from './rate-limit.js';
import routeDeclarations from './route-declarations.js';
import signature, { type SignaturePluginOptions } from './signature.js';

/** What the plugins share (the cache, the clock) is given once. */
export type AuthPluginsOptions = AuthPluginOptions & RateLimitPluginOptions & SignaturePluginOptions;

/** Register before any route: routes registered earlier are neither checked nor protected. */
const authPlugins: FastifyPluginAsync<AuthPluginsOptions> = async (fastify, options) => {
  const { store, limiter, cache, ingestRateLimit, defaultRateLimit, now } = options;
  await fastify.register(routeDeclarations);
  await fastify.register(auth, { cache, store, now });
  await fastify.register(rateLimit, { cache, limiter, ingestRateLimit, defaultRateLimit, now });
  await fastify.register(keyType);
  await fastify.register(signature, { cache });
};

export default fp(authPlugins, { name: 'pecta-auth-plugins', fastify: '5.x' });
