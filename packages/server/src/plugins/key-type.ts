/** Routes that declare `config.auth: 'secret'` (key management, organisation settings) refuse publishable keys. */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { requireAuth } from '../auth/context.js';
import { ApiError } from '../errors.js';
import { appendOnRequest } from './route-hooks.js';

async function secretKeyOnly(request: FastifyRequest): Promise<void> {
  if (requireAuth(request).keyType !== 'secret') throw new ApiError('forbidden', 'this route needs a secret (sk_live_) key');
}

const keyTypePlugin: FastifyPluginAsync = async (fastify) => {
  fastify.addHook('onRoute', (route) => {
    if (route.config?.auth === 'secret') appendOnRequest(route, secretKeyOnly);
  });
};

export default fp(keyTypePlugin, { name: 'pecta-key-type', fastify: '5.x', dependencies: ['pecta-auth'] });
