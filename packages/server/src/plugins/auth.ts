/**
 * Who is calling: Bearer key → organisation, on every route that declares `config.auth`, before its body is read.
 * Leaves the caller on `request.auth` (null on routes without a declaration); handlers read it with `requireAuth`.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuthCache } from '../auth/auth-cache.js';
import { describeBadAuthorization } from '../auth/bad-authorization.js';
import { KeyUseRecorder } from '../auth/key-use.js';
import { hashKey, parseBearer } from '../auth/keys.js';
import { ApiError } from '../errors.js';
import type { Store } from '../store/types.js';
import { appendOnRequest } from './route-hooks.js';

export interface AuthPluginOptions {
  cache: AuthCache;
  /** Where each key's last use is recorded. */
  store: Store;
  now?: () => number;
}

const authPlugin: FastifyPluginAsync<AuthPluginOptions> = async (fastify, options) => {
  const keyUse = new KeyUseRecorder(options.store, options.now);

  async function authenticate(request: FastifyRequest): Promise<void> {
    const parsed = parseBearer(request.headers.authorization);
    if (!parsed.ok) throw new ApiError(parsed.code, describeBadAuthorization(request.headers.authorization));
    const record = await options.cache.findKey(hashKey(parsed.key));
    if (!record) throw new ApiError('auth_invalid', 'API key not recognised');
    if (record.revoked_at !== null) throw new ApiError('auth_revoked', 'API key has been revoked');
    request.auth = { orgId: record.org_id, keyId: record.id, keyType: record.type };
    keyUse.note(record.id);
  }

  fastify.decorateRequest('auth', null);
  fastify.addHook('onRoute', (route) => {
    if (route.config?.auth !== undefined) appendOnRequest(route, authenticate);
  });
  fastify.addHook('onClose', () => keyUse.close());
};

export default fp(authPlugin, { name: 'pecta-auth', fastify: '5.x' });
