/**
 * Every /v1 route says which key it needs (`config.auth`), checked when the route is registered: a route added without
 * a declaration stops the server from starting, instead of answering anyone.
 */
import type { FastifyContextConfig, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ROUTE_AUTH } from '../auth/context.js';

/** Where the authenticated API lives; every route under it must declare `config.auth`. */
export const API_PREFIX = '/v1';

function isApiPath(url: string): boolean {
  return url === API_PREFIX || url.startsWith(`${API_PREFIX}/`);
}

/** What is wrong with a route's auth declaration, or null when there is nothing wrong. */
export function authDeclarationProblem(url: string, config: FastifyContextConfig | undefined): string | null {
  const auth: unknown = config?.auth;
  if (auth !== undefined && !(ROUTE_AUTH as readonly unknown[]).includes(auth)) {
    return `config.auth must be one of ${ROUTE_AUTH.map((a) => `'${a}'`).join(', ')}`;
  }
  if (auth !== undefined) return null;
  if (isApiPath(url)) {
    return `every ${API_PREFIX} route must declare config.auth (${ROUTE_AUTH.map((a) => `'${a}'`).join(' or ')}), so that none is left open by mistake`;
  }
  if (config?.rateBucket !== undefined || config?.signedIngest !== undefined) {
    return 'config.rateBucket and config.signedIngest only apply to a route that declares config.auth';
  }
  return null;
}

const routeDeclarations: FastifyPluginAsync = async (fastify) => {
  fastify.addHook('onRoute', (route) => {
    const problem = authDeclarationProblem(route.url, route.config);
    if (problem !== null) throw new Error(`${String(route.method)} ${route.url}: ${problem}`);
  });
};

export default fp(routeDeclarations, { name: 'pecta-route-declarations', fastify: '5.x' });
