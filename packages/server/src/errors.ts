/**
 * The one error shape of the API (docs/api.md, Errors): `{ error, code, status }`. Every failure path — our own checks,
 * schema validation, fastify's body parsing, unknown routes, bugs — ends up here, so clients can rely on `code`.
 */
import { StoreUnavailableError } from './store/errors.js';

export type ErrorCode =
  | 'validation_error'
  | 'bad_json'
  | 'bad_request'
  | 'auth_missing'
  | 'auth_format'
  | 'auth_invalid'
  | 'auth_revoked'
  | 'hmac_no_secret'
  | 'hmac_invalid'
  | 'signature_required'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'expectation_failed'
  | 'headers_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'internal_error';

export const STATUS_OF: Record<ErrorCode, number> = {
  validation_error: 400,
  bad_json: 400,
  bad_request: 400,
  auth_missing: 401,
  auth_format: 401,
  auth_invalid: 401,
  auth_revoked: 401,
  hmac_no_secret: 401,
  hmac_invalid: 401,
  signature_required: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  expectation_failed: 417,
  headers_too_large: 431,
  rate_limited: 429,
  unavailable: 503,
  internal_error: 500,
};

/** Every code the API answers with, for the OpenAPI document's enum. */
export const ERROR_CODES = Object.keys(STATUS_OF) as [ErrorCode, ...ErrorCode[]];

export interface ErrorBody {
  error: string;
  code: ErrorCode;
  status: number;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = STATUS_OF[code];
    this.headers = headers;
  }

  toBody(): ErrorBody {
    return { error: this.message, code: this.code, status: this.status };
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: message, code, status: STATUS_OF[code] };
}

/** Fastify's own error codes that reach the error handler, mapped onto ours with a message of our own. */
const FASTIFY_CODES: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'body must be JSON (Content-Type: application/json)'],
  FST_ERR_CTP_INVALID_TYPE: ['unsupported_media_type', 'body must be JSON (Content-Type: application/json)'],
  FST_ERR_CTP_EMPTY_TYPE: ['unsupported_media_type', 'body must be JSON (Content-Type: application/json)'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['validation_error', 'Content-Length does not match the body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['bad_json', 'request body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['bad_json', 'request body is not valid JSON'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', 'request body is larger than this route accepts'],
  FST_ERR_BAD_URL: ['validation_error', 'the URL is not validly percent-encoded'],
  FST_ERR_MAX_PARAM_LENGTH: ['validation_error', 'a path parameter is too long'],
  FST_ERR_ASYNC_CONSTRAINT: ['validation_error', 'invalid request'],
};

const BY_STATUS: Record<number, [ErrorCode, string]> = {
  404: ['not_found', 'not found'],
  405: ['method_not_allowed', 'this method is not supported here'],
  408: ['request_timeout', 'the request was not received in time'],
  413: ['payload_too_large', 'request body is larger than this route accepts'],
  415: ['unsupported_media_type', 'body must be JSON (Content-Type: application/json)'],
  431: ['headers_too_large', 'request headers are too large'],
};

interface ValidationIssue {
  instancePath?: string;
  message?: string;
}

/** Turns anything thrown inside a request into the API error shape. Never exposes internals of a 5xx. */
export function toErrorBody(error: unknown): { body: ErrorBody; headers: Record<string, string> } {
  if (error instanceof ApiError) return { body: error.toBody(), headers: error.headers };
  if (error instanceof StoreUnavailableError) {
    return { body: errorBody('unavailable', 'the data store is unavailable right now; retry shortly'), headers: { 'Retry-After': '1' } };
  }
  const e = error as { code?: string; statusCode?: number; validation?: ValidationIssue[]; validationContext?: string };
  if (Array.isArray(e?.validation)) {
    return { body: errorBody('validation_error', describeValidation(e.validation, e.validationContext)), headers: {} };
  }
  const mapped = (e?.code ? FASTIFY_CODES[e.code] : undefined) ?? (e?.statusCode ? BY_STATUS[e.statusCode] : undefined);
  if (mapped) return { body: errorBody(mapped[0], mapped[1]), headers: {} };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { body: errorBody('validation_error', 'invalid request'), headers: {} };
  }
  return { body: errorBody('internal_error', 'internal error'), headers: {} };
}

/** "events.3.agent_id: Too big: expected string to have <=200 characters" — the message names the field. */
export function describeValidation(issues: ValidationIssue[], context?: string): string {
  const first = issues[0];
  if (!first) return 'invalid request';
  const path = (first.instancePath ?? '').split('/').filter(Boolean).join('.');
  const where = path || context || 'body';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more ${issues.length === 2 ? 'issue' : 'issues'})` : '';
  return `${where}: ${first.message ?? 'invalid'}${more}`;
}
