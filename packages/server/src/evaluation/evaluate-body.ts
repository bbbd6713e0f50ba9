/**
 * One `POST /v1/evaluate` body through the engine, down to what may cross the data boundary: the same function
 * whether the body is evaluated on the HTTP thread or on an evaluation thread.
 */
import type { Engine } from '@pecta/core';
import { toWireGate } from '@pecta/core/wire';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { ApiError, describeValidation } from '../errors.js';
import { parseJsonBody } from '../http/json-body.js';
import { EvaluateBody } from '../schemas.js';
import type { NewEvent } from '../store/types.js';
import type { z } from 'zod';

export const EVALUATE_PATH = '/v1/evaluate';

export type EvaluateBodyValue = z.infer<typeof EvaluateBody>;

/** An evaluation's verdict and metadata, as the store records it: never the input, the output or a gate's details. */
export interface Evaluated extends Omit<NewEvent, 'event_id'> {
  total_latency_ms: number;
}

export async function evaluateBody(engine: Engine, body: EvaluateBodyValue): Promise<Evaluated> {
  const result = await engine.evaluate({
    agent_id: body.agent_id,
    tool: body.tool,
    input: body.input,
    output: body.output,
    latency_ms: body.latency_ms,
  });
  return {
    evaluation_id: result.evaluation_id,
    agent_id: body.agent_id,
    tool_name: body.tool ?? null,
    passed: result.passed,
    gates: result.gates.map(toWireGate),
    total_latency_ms: result.total_latency_ms,
    latency_ms: body.latency_ms ?? null,
    created_at: Date.parse(result.created_at),
  };
}

/** The route's own validator (fastify-type-provider-zod), so issues and messages are the ones the route gives. */
const validateEvaluateBody = validatorCompiler({ schema: EvaluateBody, method: 'POST', url: EVALUATE_PATH, httpPart: 'body' }) as (
  data: unknown,
) => { value?: unknown; error?: { instancePath?: string; message?: string }[] };

/**
 * Parses and validates raw body bytes exactly as the route would (same limits, same schema, same messages), then
 * evaluates them. Throws ApiError for a body the route would refuse.
 */
export async function evaluateRawBody(engine: Engine, raw: Buffer, maxDepth: number): Promise<Evaluated> {
  const json = parseJsonBody(raw, maxDepth);
  const checked = validateEvaluateBody(json);
  if (checked.error !== undefined) throw new ApiError('validation_error', describeValidation(checked.error, 'body'));
  return evaluateBody(engine, checked.value as EvaluateBodyValue);
}
