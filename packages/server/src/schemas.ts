/**
 * One zod schema per request and response: fastify validates with them, TypeScript types the handlers from them and
 * /openapi.json is generated from them. Objects are strict: an unknown field is a 400, so a typo never passes silently.
 */
import {
  DEFAULT_EVENTS_PAGE,
  isWellFormedText,
  MAX_CURSOR_LENGTH,
  MAX_EVENTS_PAGE,
  MAX_EVENTS_PER_BATCH,
  MAX_GATES_PER_EVENT,
  MAX_ID_LENGTH,
  MAX_LATENCY_MS,
  MAX_OFFSET,
  MAX_REASON_LENGTH,
  REPUTATION_WINDOW,
} from '@pecta/core/wire';
import { z } from 'zod';
import { ERROR_CODES } from './errors.js';

/** The rule for every identifier a client chooses: agent ids, tool and gate names, event ids. */
const identifier = (min: number, max: number) =>
  z.string().min(min).max(max).refine(isWellFormedText, 'must be well-formed Unicode (it contains a lone UTF-16 surrogate)');

const agentId = identifier(1, MAX_ID_LENGTH).describe(`Agent identifier, 1–${MAX_ID_LENGTH} characters`);
const toolName = identifier(0, MAX_ID_LENGTH);
const latency = z.number().min(0).max(MAX_LATENCY_MS);
/**
 * zod's own ISO 8601 checks: a date (midnight UTC) or a date-time with Z or ±hh:mm, real calendar days only
 * (2026-02-30 is refused, where Date.parse would roll it over to March 2nd). The fast ingest check tests the same
 * patterns, so both say the same about every timestamp.
 */
const isoDate = z.iso.date();
const isoDateTimeWithZone = z.iso.datetime({ offset: true });
const ISO_PATTERNS = [isoDate._zod.pattern, isoDateTimeWithZone._zod.pattern];
const MAX_TIMESTAMP_LENGTH = 40;

/** Epoch milliseconds of a timestamp the API accepts, or null for any other text. */
export function parseIsoDateTime(text: string): number | null {
  if (text.length > MAX_TIMESTAMP_LENGTH || !ISO_PATTERNS.some((pattern) => pattern.test(text))) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

const isoDateTime = z
  .string()
  .max(MAX_TIMESTAMP_LENGTH)
  .refine((s) => parseIsoDateTime(s) !== null, 'must be an ISO 8601 date-time with a zone, e.g. 2026-05-07T14:22:44Z')
  .describe('ISO 8601 date-time');

export const ReputationSchema = z.object({
  score: z.number().int().min(0).max(1000),
  status: z.enum(['new', 'calibrating', 'active', 'mature']),
  evaluations: z.number().int(),
  passed: z.number().int(),
  pass_rate: z.number(),
  avg_latency_ms: z.number(),
  streak: z.number().int(),
});

export const ErrorSchema = z
  .object({
    error: z.string().describe('What went wrong, in words; never quotes a key or a payload'),
    code: z.enum(ERROR_CODES).describe('Stable, for programs'),
    status: z.number().int().min(400).max(599),
  })
  .meta({ id: 'Error' });

// ---- POST /v1/evaluate -----------------------------------------------------------------------------------------------

export const EvaluateBody = z.strictObject({
  agent_id: agentId,
  tool: toolName.optional(),
  input: z.unknown().optional().describe('Any JSON; used by the gates, never stored'),
  output: z.custom<unknown>((v) => v !== undefined, { message: 'Required' }).describe('Any JSON; the value the gates inspect, never stored'),
  latency_ms: latency.optional(),
});

export const GateVerdict = z
  .object({
    name: z.string(),
    passed: z.boolean(),
    latency_ms: z.number(),
    reason: z.string().optional(),
    skipped: z.boolean().optional(),
    aborted: z.boolean().optional(),
  })
  .meta({ id: 'GateVerdict' });

export const EvaluateResponse = z.object({
  evaluation_id: z.string(),
  passed: z.boolean(),
  gates: z.array(GateVerdict),
  total_latency_ms: z.number(),
  reputation: ReputationSchema,
});

// ---- POST /v1/ingest ---------------------------------------------------------------------------------------------------

export const IngestGate = z.strictObject({
  name: identifier(1, MAX_ID_LENGTH),
  passed: z.boolean(),
  latency_ms: latency.optional(),
  reason: z.string().max(MAX_REASON_LENGTH).optional(),
  skipped: z.boolean().optional(),
  aborted: z.boolean().optional(),
});

export const IngestEvent = z
  .strictObject({
    agent_id: agentId,
    tool: toolName.optional(),
    passed: z.boolean().optional().describe('Overall verdict; derived from the gates when absent'),
    gates: z.array(IngestGate).max(MAX_GATES_PER_EVENT).optional(),
    total_latency_ms: latency.optional(),
    latency_ms: latency.optional(),
    timestamp: isoDateTime.optional().describe('When the evaluation happened; default now'),
    event_id: identifier(1, MAX_ID_LENGTH).optional().describe('Client id; a repeat is accepted but not counted again'),
  })
  .refine((e) => e.passed !== undefined || (e.gates !== undefined && e.gates.length > 0), {
    message: 'an event needs `passed` or at least one gate to derive it from',
    path: ['passed'],
  });

export const IngestBody = z.strictObject({
  events: z.array(IngestEvent).min(1).max(MAX_EVENTS_PER_BATCH),
});

export const IngestResponse = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  reputation_updates: z.array(
    z.object({ agent_id: z.string(), score: z.number().int(), status: ReputationSchema.shape.status, evaluations: z.number().int() }),
  ),
});

// ---- GET /v1/events ----------------------------------------------------------------------------------------------------

const intInRange = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,7}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback)
    // What a client generator needs: the text is a whole number in this range. (zod leaves `default` out of an input
    // schema whose default is the parsed number, so the description carries it.)
    .meta({ type: 'integer', minimum: min, maximum: max, description: `Whole number from ${min} to ${max}; default ${fallback}` });

export const EventsQuery = z
  .strictObject({
    limit: intInRange(1, MAX_EVENTS_PAGE, DEFAULT_EVENTS_PAGE),
    offset: intInRange(0, MAX_OFFSET, 0),
    cursor: z.string().max(MAX_CURSOR_LENGTH).optional().describe('next_cursor of the previous page; the same filters must come with it'),
    agent_id: agentId.optional(),
    passed: z.enum(['true', 'false']).optional(),
    from: isoDateTime.optional(),
    to: isoDateTime.optional(),
  })
  .refine((q) => q.cursor === undefined || q.offset === 0, { message: 'give either cursor or offset, not both', path: ['cursor'] });

/** GET /v1/events/export: the filters of GET /v1/events, without paging (the whole selection streams). */
export const EventsExportQuery = z.strictObject({
  agent_id: agentId.optional(),
  passed: z.enum(['true', 'false']).optional(),
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
});

export const StoredGate = GateVerdict;

export const EventSchema = z
  .object({
    evaluation_id: z.string(),
    agent_id: z.string(),
    tool_name: z.string().nullable(),
    passed: z.boolean(),
    gates: z.array(StoredGate),
    total_latency_ms: z.number().nullable(),
    latency_ms: z.number().nullable(),
    reputation_score: z.number().int(),
    created_at: z.string(),
  })
  .meta({ id: 'Event' });

export const EventsResponse = z.object({
  events: z.array(EventSchema),
  limit: z.number().int(),
  offset: z.number().int(),
  count: z.number().int(),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

// ---- reputation and agents -----------------------------------------------------------------------------------------

export const AgentParams = z.strictObject({ agentId });

export const ReputationResponse = ReputationSchema.extend({ agent_id: z.string() }).meta({ id: 'Reputation' });

export const AgentSummarySchema = z
  .object({
    agent_id: z.string(),
    first_seen: z.string(),
    last_seen: z.string(),
    eval_count: z.number().int(),
    score: ReputationSchema.shape.score,
    status: ReputationSchema.shape.status,
    evaluations: ReputationSchema.shape.evaluations.describe(`Evaluations in the reputation window (at most ${REPUTATION_WINDOW})`),
  })
  .meta({ id: 'AgentSummary' });

export const AgentsResponse = z.object({ agents: z.array(AgentSummarySchema) });

export const RegisterAgentBody = z.strictObject({ agent_id: agentId });
export const RegisterAgentResponse = z.object({ agent_id: z.string(), ok: z.literal(true) });
export const DeleteAgentResponse = z.object({
  agent_id: z.string(),
  deleted: z.literal(true),
  events: z.number().int().min(0).describe('Events removed with the agent'),
});

// ---- keys --------------------------------------------------------------------------------------------------------------

export const CreateKeyBody = z.strictObject({
  type: z.enum(['publishable', 'secret']),
  label: z.string().min(1).max(100).optional(),
});

export const KeyInfo = z
  .object({
    id: z.string(),
    type: z.enum(['publishable', 'secret']),
    label: z.string().nullable(),
    hint: z.string(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    revoked: z.boolean(),
    revoked_at: z.string().nullable(),
  })
  .meta({ id: 'KeyInfo' });

export const CreateKeyResponse = KeyInfo.extend({ key: z.string().describe('The plaintext key: shown this once, never again') }).meta({
  id: 'CreatedKey',
});
export const KeysResponse = z.object({ keys: z.array(KeyInfo) });
export const KeyParams = z.strictObject({ id: z.string().min(1).max(64) });

// ---- organisation settings (admin) ---------------------------------------------------------------------------------

export const OrgSettingsBody = z.strictObject({
  require_signed_ingest: z.boolean().describe('When true, POST /v1/ingest without X-Pecta-Signature is refused (401 signature_required)'),
});

export const OrgResponse = z.object({
  id: z.string(),
  name: z.string(),
  created_at: z.string(),
  require_signed_ingest: z.boolean(),
  ingest_limit: z.number().int().nullable().describe('Requests per rolling minute on POST /v1/ingest; null is the server default'),
  default_limit: z.number().int().nullable().describe('Requests per rolling minute on every other route; null is the server default'),
});

export const HealthResponse = z.object({ status: z.enum(['ok', 'unavailable']), version: z.string() });
