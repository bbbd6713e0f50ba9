import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireAuth } from '../auth/context.js';
import { ApiError } from '../errors.js';
import { ErrorSchema, OrgResponse, OrgSettingsBody } from '../schemas.js';
import type { Organization } from '../store/types.js';
import { iso, type RouteDeps } from './deps.js';

/** Admin API (secret keys only): the caller's organisation and its settings. */
export function orgRoutes(deps: RouteDeps): FastifyPluginAsync {
  return async (app) => {
    const api = app.withTypeProvider<ZodTypeProvider>();

    api.get('/v1/org', {
      config: { auth: 'secret' },
      schema: { summary: "The caller's organisation and its settings", response: { 200: OrgResponse, '4xx': ErrorSchema } },
      handler: async (request) => describeOrg(await found(deps.store.getOrganization(requireAuth(request).orgId))),
    });

    api.patch('/v1/org', {
      config: { auth: 'secret' },
      schema: {
        summary: "Change the caller's organisation settings",
        body: OrgSettingsBody,
        response: { 200: OrgResponse, '4xx': ErrorSchema },
      },
      handler: async (request) => {
        const { orgId } = requireAuth(request);
        const org = await found(deps.store.updateOrganizationSettings(orgId, request.body));
        // Every instance applies the change to its next request; without Redis, others within their cache time.
        await deps.auth.changed(orgId);
        return describeOrg(org);
      },
    });
  };
}

/** The key that authenticated the request belongs to the organisation, so it only goes missing if the store lost it. */
async function found(org: Promise<Organization | null>): Promise<Organization> {
  const value = await org;
  if (!value) throw new ApiError('not_found', 'no such organisation');
  return value;
}

function describeOrg(org: Organization) {
  return {
    id: org.id,
    name: org.name,
    created_at: iso(org.created_at),
    require_signed_ingest: org.require_signed_ingest,
    ingest_limit: org.ingest_limit,
    default_limit: org.default_limit,
  };
}
