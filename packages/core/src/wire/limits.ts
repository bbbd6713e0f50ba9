/**
 * The limits of the wire format, as docs/api.md states them: the server validates against them and every client
 * (telemetry, proxy, dashboard) clamps or checks against the same numbers, so they are defined only here.
 */

/** Agent ids, tool names, gate names and event ids: characters (UTF-16 units). */
export const MAX_ID_LENGTH = 200;
/** A gate's reason: characters. */
export const MAX_REASON_LENGTH = 500;
/** Gate results carried by one event. */
export const MAX_GATES_PER_EVENT = 50;
/** Largest latency a client may report, in milliseconds. */
export const MAX_LATENCY_MS = 60_000;
/** Events in one POST /v1/ingest body. */
export const MAX_EVENTS_PER_BATCH = 100;
/** How far ahead of the server's clock an ingested timestamp may be. */
export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;
/** GET /v1/events: page size bounds, its default, and the deepest offset. */
export const MAX_EVENTS_PAGE = 100;
export const DEFAULT_EVENTS_PAGE = 50;
export const MAX_OFFSET = 100_000;
/** Longest cursor the server issues or accepts. */
export const MAX_CURSOR_LENGTH = 80;
/** GET /v1/agents lists at most this many agents. */
export const MAX_AGENTS_LISTED = 500;
/** Evaluations in an agent's reputation window. */
export const REPUTATION_WINDOW = 500;
