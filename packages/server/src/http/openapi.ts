/**
 * What the route schemas cannot say and a client generator needs: the answers every /v1 route may give besides its
 * own (401, 429 with Retry-After, 413, 503, 500, all in the error shape), the rate-limit headers, and the optional
 * request signature. Applied once to the generated document, so each route keeps only its own schema.
 */
import { MAX_EVENTS_PER_BATCH } from '@pecta/core/wire';

type Json = Record<string, unknown>;

const ERROR = { $ref: '#/components/schemas/Error' };
const METHODS_WITH_BODY = new Set(['post', 'put', 'patch']);
const HTTP_METHODS = new Set(['get', 'head', 'post', 'put', 'patch', 'delete']);

const integerHeader = (description: string) => ({ description, schema: { type: 'integer', minimum: 0 } });
const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': integerHeader('Requests allowed per rolling minute for this key’s organisation and route class'),
  'X-RateLimit-Remaining': integerHeader('Requests left in the current rolling minute'),
};
const RETRY_AFTER = { 'Retry-After': integerHeader('Seconds until a retry can succeed') };

function errorResponse(description: string, headers?: Json): Json {
  return { description, ...(headers ? { headers } : {}), content: { 'application/json': { schema: ERROR } } };
}

const SIGNATURE_PARAMETER = {
  in: 'header',
  name: 'X-Pecta-Signature',
  required: false,
  description:
    '`sha256=<hex>`: HMAC-SHA256 of the exact body with one of the organisation’s secret keys. Checked whenever present; ' +
    'required on ingest when the organisation sets require_signed_ingest (docs/api.md, Signing request bodies).',
  schema: { type: 'string', pattern: '^sha256=[0-9a-f]{64}$' },
};

const COMMON_V1_ERRORS: Json = {
  '401': errorResponse('No usable key or signature: auth_missing, auth_format, auth_invalid, auth_revoked, hmac_no_secret, hmac_invalid, signature_required'),
  '429': errorResponse('rate_limited: over the organisation’s requests per rolling minute', { ...RETRY_AFTER, ...RATE_LIMIT_HEADERS }),
  '500': errorResponse('internal_error: a bug; the body never carries details'),
  '503': errorResponse('unavailable: the store cannot be reached, or the server is shutting down', RETRY_AFTER),
};
const BODY_ERRORS: Json = {
  '413': errorResponse(`payload_too_large: the body is over the route’s limit (an ingest batch holds at most ${MAX_EVENTS_PER_BATCH} events)`),
  '415': errorResponse('unsupported_media_type: send Content-Type: application/json'),
};

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function completeOpenApi(document: Json): Json {
  const paths = isObject(document.paths) ? document.paths : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!path.startsWith('/v1/') || !isObject(item)) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method) || !isObject(operation)) continue;
      const responses: Json = isObject(operation.responses) ? operation.responses : {};
      for (const [status, response] of Object.entries(responses)) {
        if (status.startsWith('2') && isObject(response)) response.headers = { ...RATE_LIMIT_HEADERS, ...(isObject(response.headers) ? response.headers : {}) };
      }
      const extra = METHODS_WITH_BODY.has(method) ? { ...COMMON_V1_ERRORS, ...BODY_ERRORS } : COMMON_V1_ERRORS;
      // A route's own answer for a status wins over the generic one.
      operation.responses = { ...extra, ...responses };
      if (METHODS_WITH_BODY.has(method)) {
        const parameters = Array.isArray(operation.parameters) ? operation.parameters : [];
        operation.parameters = [...parameters, SIGNATURE_PARAMETER];
      }
    }
  }
  return document;
}
