/**
 * HMAC request signing (SPEC §4.4). A present X-Pecta-Signature is verified over the raw body on every route, by the
 * body parser through `fastify.verifyBodySignature`; on routes that declare `config.signedIngest`, an organisation
 * that requires signed ingest has unsigned requests refused before their body is read.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuthCache } from '../auth/auth-cache.js';
import { requireAuth } from '../auth/context.js';
import { SIGNATURE_HEADER, verifyBodySignature } from '../auth/hmac.js';
import { ApiError } from '../errors.js';
import { appendOnRequest } from './route-hooks.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Called by the body parser with the raw bytes, before they are parsed; refuses a signature that does not match. */
    verifyBodySignature(request: FastifyRequest, raw: Buffer): Promise<void>;
  }
}

export interface SignaturePluginOptions {
  cache: AuthCache;
}

const signaturePlugin: FastifyPluginAsync<SignaturePluginOptions> = async (fastify, { cache }) => {
  // An onRequest hook rather than part of the body check: the body parser never runs for a request without a body,
  // and an unsigned request should not cost reading its body at all.
  async function refuseUnsigned(request: FastifyRequest): Promise<void> {
    if (request.headers[SIGNATURE_HEADER] !== undefined) return;
    const org = await cache.organization(requireAuth(request).orgId);
    if (org?.require_signed_ingest) {
      throw new ApiError(
        'signature_required',
        'this organisation requires signed ingest: send X-Pecta-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with a secret key>',
      );
    }
  }

  async function verify(request: FastifyRequest, raw: Buffer): Promise<void> {
    const header = request.headers[SIGNATURE_HEADER];
    if (header === undefined) return;
    const secrets = await cache.secretsOf(requireAuth(request).orgId);
    if (secrets.length === 0) {
      throw new ApiError('hmac_no_secret', 'a signature was sent but the organisation has no active secret key');
    }
    const value = Array.isArray(header) ? header.join(',') : header;
    if (verifyBodySignature(raw, value, secrets) !== 'valid') {
      throw new ApiError('hmac_invalid', 'X-Pecta-Signature does not match the body (expected sha256=<hex HMAC-SHA256 of the raw body>)');
    }
  }

  fastify.decorate('verifyBodySignature', verify);
  fastify.addHook('onRoute', (route) => {
    if (route.config?.auth !== undefined && route.config.signedIngest === true) appendOnRequest(route, refuseUnsigned);
  });
};

export default fp(signaturePlugin, { name: 'pecta-signature', fastify: '5.x', dependencies: ['pecta-auth'] });
