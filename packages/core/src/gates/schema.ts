import type { Gate, GateOptions, GateOutcome } from '../types.js';
import { assertOptionsObject, gateName } from './options.js';
import { markSignalFree } from '../signal-free.js';

/**
 * The part of a Zod schema this gate relies on. Structural rather than an import of zod, so that zod stays an
 * optional peer dependency and both zod 3 and zod 4 schemas work.
 */
export interface SafeParseSchema {
  safeParse(value: unknown): SafeParseResult;
  safeParseAsync?(value: unknown): Promise<SafeParseResult>;
}

export type SafeParseResult =
  | { success: true; data?: unknown }
  | { success: false; error: { issues: readonly SchemaIssueLike[] } };

export interface SchemaIssueLike {
  code?: string;
  path: readonly PropertyKey[];
  message: string;
  keys?: readonly string[];
}

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

export function schema(zodSchema: SafeParseSchema, options?: SchemaOptions): Gate {
  if (zodSchema === null || typeof zodSchema !== 'object' || typeof zodSchema.safeParse !== 'function') {
    throw new TypeError('schema: the first argument must be a Zod schema (an object with safeParse)');
  }
  assertOptionsObject(options, 'schema');
  const target = options?.target ?? 'output';
  if (target !== 'output' && target !== 'input') throw new TypeError('schema: target must be "output" or "input"');
  const name = gateName(options, 'schema');
  return markSignalFree({
    name,
    run(ctx): GateOutcome | Promise<GateOutcome> {
      const value = target === 'output' ? ctx.output : ctx.input;
      let parsed: SafeParseResult;
      try {
        parsed = zodSchema.safeParse(value);
      } catch (error) {
        // Zod refuses to run asynchronous refinements synchronously; only then pay for the async path.
        if (typeof zodSchema.safeParseAsync === 'function' && isAsyncSchemaError(error)) {
          return zodSchema.safeParseAsync(value).then((r) => toOutcome(r, target));
        }
        throw error;
      }
      return toOutcome(parsed, target);
    },
  });
}

function isAsyncSchemaError(error: unknown): boolean {
  return error instanceof Error && /async/i.test(`${error.constructor?.name} ${error.message}`);
}

function toOutcome(parsed: SafeParseResult, target: string): GateOutcome {
  if (parsed.success) return { passed: true };
  const all = parsed.error.issues;
  const issues = all.slice(0, MAX_REPORTED_ISSUES).map(describeIssue);
  const first = issues[0];
  const count = `${all.length} ${all.length === 1 ? 'issue' : 'issues'}`;
  const where = first ? `; first at ${first.path}: ${first.message}` : '';
  return {
    passed: false,
    reason: `${target} failed schema validation: ${count}${where}`,
    details: { issues, total: all.length },
  };
}

/**
 * Zod messages describe the schema ("expected number, received string"), not the value, with one exception:
 * unrecognized-key issues name keys taken from the payload, so those are summarised by count instead.
 */
export function describeIssue(issue: SchemaIssueLike): SchemaIssue {
  const code = typeof issue.code === 'string' ? issue.code : 'custom';
  const message =
    code === 'unrecognized_keys'
      ? `${issue.keys?.length ?? 'some'} unrecognized key(s)`
      : truncate(String(issue.message), MAX_MESSAGE_LENGTH);
  return { path: truncate(formatPath(issue.path), MAX_PATH_LENGTH), code, message };
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p) => (typeof p === 'symbol' ? p.toString() : String(p))).join('.');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
