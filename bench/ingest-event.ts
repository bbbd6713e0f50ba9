/**
 * The ingest event every API benchmark sends (bench:api, bench:hot-path): one tool call with three gates; one event
 * in ten fails `pii` with a reason, as real traffic would.
 */
export function benchIngestEvent(n: number, agentId: string): Record<string, unknown> {
  const passed = n % 10 !== 0;
  return {
    agent_id: agentId,
    tool: 'search',
    passed,
    gates: [
      { name: 'filesystem', passed: true, latency_ms: 0.004 },
      { name: 'pii', passed, latency_ms: 0.011, ...(passed ? {} : { reason: 'email address detected in output' }) },
      { name: 'content', passed: true, latency_ms: 0.006 },
    ],
    total_latency_ms: 0.02,
    latency_ms: 120 + (n % 50),
  };
}
