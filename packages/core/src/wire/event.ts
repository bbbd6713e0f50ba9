/** One event of a POST /v1/ingest body, as a client sends it (docs/api.md). */
export interface IngestEvent {
  agent_id: string;
  tool?: string;
  passed: boolean;
  gates: IngestGate[];
  total_latency_ms?: number;
  latency_ms?: number;
  /** ISO 8601; the server uses its arrival time when absent. */
  timestamp?: string;
  event_id: string;
}

/** A gate inside an ingest event: as WireGate, with the latency optional. */
export interface IngestGate {
  name: string;
  passed: boolean;
  latency_ms?: number;
  reason?: string;
  skipped?: true;
  aborted?: true;
}
