/** How the auth plugins attach their checks to the routes that declare them. */
import type { onRequestHookHandler, RouteOptions } from 'fastify';

/**
 * Adds `hook` after the route's own onRequest hooks. The array is replaced, never pushed to: fastify registers the
 * automatic HEAD route of a GET route from a copy of the options as they were written, and runs the onRoute hooks on
 * it again, so pushing would attach every check to the HEAD route twice.
 */
export function appendOnRequest(route: RouteOptions, hook: onRequestHookHandler): void {
  const own = route.onRequest;
  route.onRequest = own === undefined ? [hook] : [...(Array.isArray(own) ? own : [own]), hook];
}
