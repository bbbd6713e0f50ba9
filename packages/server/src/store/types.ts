/**
 * The storage contract. Routes talk only to this interface; each back end (sqlite/, postgres/) lives in its
 * own folder and must pass the shared contract suite in test/store/contract.ts unchanged.
 *
 * Every method is async even where the embedded back end could answer synchronously, so that a networked back end
 * fits without touching callers. All times cross this boundary as epoch milliseconds (numbers); routes format them.
 */
import type { KeyType, WireGate } from '@pecta/core/wire';
import type { Reputation, ReputationStatus } from '../reputation.js';

export type { KeyType };

export interface Organization {
  id: string;
  name: string;
  created_at: number;
  /** Per-organisation rate-limit overrides (requests per rolling minute); null means the server default. */
  ingest_limit: number | null;
  default_limit: number | null;
  /** When true, POST /v1/ingest without an X-Pecta-Signature is refused (`signature_required`). */
  require_signed_ingest: boolean;
}

/** Organisation settings that an admin changes; a field left out keeps its value. */
export interface OrganizationSettings {
  require_signed_ingest?: boolean;
}

/** A key as it is created: everything but the usage and revocation stamps the store keeps later. */
export interface NewKey {
  id: string;
  org_id: string;
  type: KeyType;
  label: string | null;
  /** Hex SHA-256 of the full key: the only way a key is looked up. */
  hash: string;
  /** A hint a person can recognise, e.g. `sk_live_Ab3x…9QzT`; never enough to use the key. */
  hint: string;
  created_at: number;
  /** Secret keys only: the key encrypted at rest (see auth/crypto), so HMAC signatures can be verified. */
  secret_ciphertext: string | null;
}

export interface KeyRecord extends NewKey {
  last_used_at: number | null;
  revoked_at: number | null;
}

/** A gate's verdict as stored: exactly what crosses the data boundary. */
export type GateRecord = WireGate;

/** One evaluation to record. Carries metadata only: never input, output or gate details (the data boundary). */
export interface NewEvent {
  evaluation_id: string;
  /** Client-supplied idempotency id; a repeat within the organisation is accepted but not recorded again. */
  event_id: string | null;
  agent_id: string;
  tool_name: string | null;
  passed: boolean;
  gates: GateRecord[];
  total_latency_ms: number | null;
  latency_ms: number | null;
  created_at: number;
}

export interface StoredEvent extends NewEvent {
  /** The agent's score right after this evaluation was counted. */
  reputation_score: number;
}

export interface RecordedEvent {
  evaluation_id: string;
  /** True when the event_id had been recorded before (this copy was not counted). */
  duplicate: boolean;
}

export interface RecordResult {
  events: RecordedEvent[];
  /** Reputation after the batch, for every distinct agent in it, in order of first appearance. */
  reputations: Array<{ agent_id: string } & Reputation>;
}

export interface EventQuery {
  limit: number;
  offset: number;
  agent_id?: string;
  passed?: boolean;
  /** Inclusive bounds on created_at, epoch ms. */
  from?: number;
  to?: number;
}

/** Where a page of events ended; the next page starts just after it (see Store.pageEvents). */
export interface EventPosition {
  created_at: number;
  seq: number;
}

/** A page by cursor (`after`), or by offset for compatibility (its `next` then lets a client switch to cursors). */
export type PageQuery = Omit<EventQuery, 'offset'> & { offset?: number; after?: EventPosition };

export interface EventPage {
  events: StoredEvent[];
  /** The last event's position when the page is full (there may be more), else null. */
  next: EventPosition | null;
}

export interface AgentRecord {
  agent_id: string;
  first_seen: number;
  last_seen: number;
  /** Lifetime count of recorded evaluations (the window holds at most 500). */
  eval_count: number;
}

/** An agent as listed: its record and the headline of its reputation, so a list needs no request per agent. */
export interface AgentSummary extends AgentRecord {
  score: number;
  status: ReputationStatus;
  /** Evaluations in the window (at most 500). */
  evaluations: number;
}

export interface Store {
  /** Creates or migrates the schema. Idempotent. */
  init(): Promise<void>;
  /** Waits for every accepted write to be durable, then releases resources. */
  close(): Promise<void>;
  /** True when the store answers (used by GET /health). */
  ping(): Promise<boolean>;

  createOrganization(org: Organization): Promise<void>;
  /**
   * First start: creates the organisation and its keys, all or nothing, only when the store has no organisation yet.
   * Returns false (and writes nothing) when one exists. Atomic across processes, so N instances starting together on
   * an empty database create exactly one.
   */
  createFirstOrganization(org: Organization, keys: readonly NewKey[]): Promise<boolean>;
  getOrganization(orgId: string): Promise<Organization | null>;
  listOrganizations(): Promise<Organization[]>;
  setOrganizationLimits(orgId: string, limits: { ingest_limit: number | null; default_limit: number | null }): Promise<boolean>;
  /** Applies the given settings; returns the organisation as it is afterwards, or null when there is no such one. */
  updateOrganizationSettings(orgId: string, settings: OrganizationSettings): Promise<Organization | null>;

  createKey(key: NewKey): Promise<KeyRecord>;
  findKeyByHash(hash: string): Promise<KeyRecord | null>;
  listKeys(orgId: string): Promise<KeyRecord[]>;
  /** Active (not revoked) secret keys of an organisation, for HMAC verification. */
  listActiveSecretKeys(orgId: string): Promise<KeyRecord[]>;
  /** Marks a key revoked; returns the record, or null when the organisation has no such key. Idempotent. */
  revokeKey(orgId: string, keyId: string, at: number): Promise<KeyRecord | null>;
  /** Records when keys were last used; callers batch these, so precision is seconds, not requests. */
  touchKeys(uses: ReadonlyMap<string, number>): Promise<void>;

  /**
   * Records a batch atomically and durably: when the promise resolves the events are committed to stable storage
   * and every agent's reputation includes them. Agents are created on first sight. Events are counted in array order.
   */
  recordEvents(orgId: string, events: readonly NewEvent[]): Promise<RecordResult>;
  /** Newest first (created_at, then recording order), filtered and paged. */
  queryEvents(orgId: string, query: EventQuery): Promise<StoredEvent[]>;
  /**
   * The same order and filters, from just after `after` (the newest first when absent): cursor paging, whose cost
   * does not grow with the depth. Events recorded meanwhile never shift a page: a new event lands at its own position,
   * before the cursor unless it is stamped older than it.
   */
  pageEvents(orgId: string, query: PageQuery): Promise<EventPage>;
  /** Every stored event of an agent in recording order (oldest first). For verification and exports. */
  agentEventsInOrder(orgId: string, agentId: string): Promise<StoredEvent[]>;
  /** Reputation of an agent, or null when the organisation has never seen it. */
  getReputation(orgId: string, agentId: string): Promise<(Reputation & AgentRecord) | null>;
  /** Most recently seen first. */
  listAgents(orgId: string, limit: number): Promise<AgentSummary[]>;
  /** Creates the agent when absent; returns false when it already existed (nothing changes then). */
  registerAgent(orgId: string, agentId: string, at: number): Promise<boolean>;
  /**
   * Removes the agent, every event recorded for it and its reputation window, in one transaction under the agent's
   * write lock. Returns how many events went, or null when the organisation has no such agent. Its event ids are
   * forgotten with its events: an event sent again later is counted again.
   */
  deleteAgent(orgId: string, agentId: string): Promise<{ events: number } | null>;
}
