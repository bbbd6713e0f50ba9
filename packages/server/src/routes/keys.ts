import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireAuth } from '../auth/context.js';
import { ApiError } from '../errors.js';
import { issueKey } from '../orgs.js';
import { CreateKeyBody, CreateKeyResponse, ErrorSchema, KeyInfo, KeyParams, KeysResponse } from '../schemas.js';
import type { KeyRecord } from '../store/types.js';
import { iso, isoOrNull, type RouteDeps } from './deps.js';

/** Admin API (secret keys only): create, list and revoke the organisation's keys. */
export function keyRoutes(deps: RouteDeps): FastifyPluginAsync {
  return async (app) => {
    const api = app.withTypeProvider<ZodTypeProvider>();

    api.post('/v1/keys', {
      config: { auth: 'secret' },
      schema: {
        summary: 'Create a key; the plaintext is in this response only',
        body: CreateKeyBody,
        response: { 201: CreateKeyResponse, '4xx': ErrorSchema },
      },
      handler: async (request, reply) => {
        const { orgId } = requireAuth(request);
        const issued = await issueKey(deps.store, deps.box, orgId, request.body.type, request.body.label ?? null, deps.now());
        await deps.auth.changed(orgId);
        reply.code(201);
        return { ...describeKey(issued.record), key: issued.key };
      },
    });

    api.get('/v1/keys', {
      config: { auth: 'secret' },
      schema: { summary: "List the organisation's keys (never the keys themselves)", response: { 200: KeysResponse, '4xx': ErrorSchema } },
      handler: async (request) => ({ keys: (await deps.store.listKeys(requireAuth(request).orgId)).map(describeKey) }),
    });

    api.delete('/v1/keys/:id', {
      config: { auth: 'secret' },
      schema: { summary: 'Revoke a key (idempotent)', params: KeyParams, response: { 200: KeyInfo, '4xx': ErrorSchema } },
      handler: async (request) => {
        const { orgId } = requireAuth(request);
        const record = await deps.store.revokeKey(orgId, request.params.id, deps.now());
        if (!record) throw new ApiError('not_found', 'no such key in this organisation');
        await deps.auth.changed(orgId);
        return describeKey(record);
      },
    });
  };
}

function describeKey(k: KeyRecord) {
  return {
    id: k.id,
    type: k.type,
    label: k.label,
    hint: k.hint,
    created_at: iso(k.created_at),
    last_used_at: isoOrNull(k.last_used_at),
    revoked: k.revoked_at !== null,
    revoked_at: isoOrNull(k.revoked_at),
  };
}
