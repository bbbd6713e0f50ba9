/**
 * fastify's validator compiler: zod (fastify-type-provider-zod) for every schema, with an optional fast check in
 * front of a schema on a hot route. A fast check answers true only for data the schema accepts unchanged, so the
 * parsed JSON is passed on as is; anything else goes through zod, which keeps the final word and the error messages.
 */
import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { IngestBody } from '../schemas.js';
import { DeferredBody } from './deferred-body.js';
import { isPlainValidIngestBody } from './ingest-check.js';

export type FastCheck = (data: unknown) => boolean;

type Compiler = FastifySchemaCompiler<Parameters<typeof validatorCompiler>[0]['schema']>;

export function validatorWithFastChecks(fastChecks: ReadonlyMap<unknown, FastCheck>): Compiler {
  return (route) => {
    const zod = validatorCompiler(route);
    // A deferred body is validated against this same schema where it is parsed (see deferred-body.ts).
    const validate: typeof zod = (data) => (data instanceof DeferredBody ? { value: data } : zod(data));
    const fast = fastChecks.get(route.schema);
    if (fast === undefined) return validate;
    return (data) => (fast(data) ? { value: data } : validate(data));
  };
}

/** The fast checks the API uses, by the schema each mirrors. */
export const API_FAST_CHECKS: ReadonlyMap<unknown, FastCheck> = new Map<unknown, FastCheck>([[IngestBody, isPlainValidIngestBody]]);
