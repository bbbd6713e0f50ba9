import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Gate, GateOptions, GateOutcome } from '../types.js';
import { assertOptionsObject, gateName } from './options.js';
import { markSignalFree } from '../signal-free.js';

/**
 * Any Standard Schema (https://standardschema.dev): zod ≥ 3.24, valibot ≥ 1, arktype ≥ 2 and others. The gate calls
 * only `~standard.validate`, so no validation library is a dependency of @pecta/core.
 */
export type AnySchema = StandardSchemaV1;

export interface SchemaIssue {
  path: string;
  code: string;
  message: string;
}

export interface SchemaOptions extends GateOptions {
  /** What to validate: the output (default) or the input. */
  target?: 'output' | 'input';
}

export const MAX_REPORTED_ISSUES = 5;
const MAX_PATH_LENGTH = 120;
const MAX_MESSAGE_LENGTH = 200;

export function schema(validator: AnySchema, options?: SchemaOptions): Gate {
  const standard = (validator as { '~standard'?: Partial<StandardSchemaV1.Props> } | null | undefined)?.['~standard'];
  if (typeof standard?.validate !== 'function') {
    throw new TypeError('schema: the first argument must be a Standard Schema (zod ≥ 3.24, valibot ≥ 1, arktype ≥ 2, …): it has no ~standard.validate');
  }
  assertOptionsObject(options, 'schema');
  const target = options?.target ?? 'output';
  if (target !== 'output' && target !== 'input') throw new TypeError('schema: target must be "output" or "input"');
  const name = gateName(options, 'schema');
  // Messages go into the reason only from a library known to describe the schema rather than the value (see describeIssue).
  const quoteMessages = standard.vendor === 'zod';
  const validate = standard.validate;
  return markSignalFree({
    name,
    run(ctx): GateOutcome | Promise<GateOutcome> {
      const result = validate(target === 'output' ? ctx.output : ctx.input);
      return result instanceof Promise ? result.then((r) => toOutcome(r, target, quoteMessages)) : toOutcome(result, target, quoteMessages);
    },
  });
}

function toOutcome(result: StandardSchemaV1.Result<unknown>, target: string, quoteMessages: boolean): GateOutcome {
  if (result.issues === undefined) return { passed: true };
  const all = result.issues;
  const issues = all.slice(0, MAX_REPORTED_ISSUES).map(describeIssue);
  const first = issues[0];
  const count = `${all.length} ${all.length === 1 ? 'issue' : 'issues'}`;
  const where = first ? `; first at ${first.path}${quoteMessages ? `: ${first.message}` : ''}` : '';
  return {
    passed: false,
    reason: `${target} failed schema validation: ${count}${where}`,
    details: { issues, total: all.length },
  };
}

/**
 * Zod's messages describe the schema ("expected number, received string"), not the value, with one exception:
 * unrecognized-key issues name keys taken from the payload, so those are summarised by count instead. Other libraries
 * may quote the value they received (valibot: `Invalid type: Expected number but received "…"`), so their messages
 * stay in `details`, which is never stored or sent (the data boundary), and out of the reason.
 */
export function describeIssue(issue: StandardSchemaV1.Issue): SchemaIssue {
  const extra = issue as StandardSchemaV1.Issue & { code?: unknown; keys?: readonly unknown[] };
  const code = typeof extra.code === 'string' ? extra.code : 'custom';
  const message =
    code === 'unrecognized_keys'
      ? `${extra.keys?.length ?? 'some'} unrecognized key(s)`
      : truncate(String(issue.message), MAX_MESSAGE_LENGTH);
  return { path: truncate(formatPath(issue.path ?? []), MAX_PATH_LENGTH), code, message };
}

export function formatPath(path: ReadonlyArray<PropertyKey | StandardSchemaV1.PathSegment>): string {
  if (path.length === 0) return '(root)';
  return path
    .map((segment) => {
      const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
      return typeof key === 'symbol' ? key.toString() : String(key);
    })
    .join('.');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
