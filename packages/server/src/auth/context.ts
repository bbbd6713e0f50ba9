/**
 * What a route declares about who may call it, and what the auth plugins leave on the request for its handler.
 * The declaration lives in the route's own `config`, so a route says what it needs where it is defined.
 */
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import type { KeyType } from '../store/types.js';
import { describeBadAuthorization } from './bad-authorization.js';

export interface AuthContext {
  orgId: string;
  keyId: string;
  keyType: KeyType;
}

/**
 * The weakest key a route accepts: `publishable` lets any valid key in (a secret key can do everything a publishable
 * key can, SPEC §4), `secret` only secret keys (key management, organisation settings).
 */
export type RouteAuth = 'publishable' | 'secret';
export const ROUTE_AUTH: readonly RouteAuth[] = ['publishable', 'secret'];

/** Which per-organisation limit a route counts against. */
export type RateBucket = 'ingest' | 'default';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth plugin on routes that declare `config.auth`; null everywhere else. */
    auth: AuthContext | null;
  }
  interface FastifyContextConfig {
    /** Which key the route needs; every /v1 route must say (checked when the route is registered). */
    auth?: RouteAuth;
    /** Which rate-limit bucket the route counts against; `default` when absent. */
    rateBucket?: RateBucket;
    /** Unsigned requests are refused when the organisation sets require_signed_ingest. */
    signedIngest?: boolean;
  }
}

/** The caller of a route that declared `config.auth`; a 401 if the route did not, rather than a crash. */
export function requireAuth(request: FastifyRequest): AuthContext {
  const auth = request.auth;
  if (auth === null) throw new ApiError('auth_missing', describeBadAuthorization(undefined));
  return auth;
}
