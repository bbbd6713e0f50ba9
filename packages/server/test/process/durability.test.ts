import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../helpers/spawn.js';

async function ingest(url: string, key: string, events: unknown[]): Promise<Response> {
  return fetch(`${url}/v1/ingest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
}

describe('durability', () => {
  it('every acknowledged event survives SIGKILL during sustained ingest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pecta-kill-'));
    try {
      const first = await startServerProcess(dir, ['--ingest-rate-limit', '1000000']);
      const key = first.pk!;
      const acked: Array<Array<{ agent_id: string; passed: boolean; event_id: string }>> = [];
      let stop = false;
      let sent = 0;
      const worker = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const batch = Array.from({ length: 20 }, (_, j) => ({ agent_id: `agent-${(i + j) % 5}`, passed: (i + j) % 7 !== 0, event_id: `w${w}-b${i}-e${j}` }));
          sent++;
          try {
            const r = await ingest(first.url, key, batch);
            if (r.status === 202) acked.push(batch);
            else await r.text();
          } catch {
            return; // the server is gone
          }
        }
      };
      const workers = Array.from({ length: 6 }, (_, w) => worker(w));
      // Let the load run, then kill without warning while requests are in flight.
      while (acked.length < 150) await new Promise((r) => setTimeout(r, 20));
      first.child.kill('SIGKILL');
      const exit = await first.exited;
      stop = true;
      await Promise.all(workers);
      assert.equal(exit.signal, 'SIGKILL');
      assert.ok(acked.length >= 150, `only ${acked.length} batches acknowledged`);
      assert.ok(sent > acked.length || sent === acked.length);

      const second = await startServerProcess(dir, ['--ingest-rate-limit', '1000000']);
      try {
        assert.equal(second.pk, undefined, 'a restart must not bootstrap a second organisation');
        // Replaying every acknowledged batch must find every event already recorded.
        let missing = 0;
        for (const batch of acked) {
          const r = await ingest(second.url, key, batch);
          assert.equal(r.status, 202);
          const body = (await r.json()) as { duplicates: number };
          missing += batch.length - body.duplicates;
        }
        assert.equal(missing, 0, `${missing} acknowledged events were lost`);
        // And the lifetime counts cover at least everything acknowledged.
        const agents = (await (await fetch(`${second.url}/v1/agents`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
          agents: Array<{ eval_count: number }>;
        };
        const total = agents.agents.reduce((s, a) => s + a.eval_count, 0);
        assert.ok(total >= acked.length * 20, `store holds ${total} events, ${acked.length * 20} were acknowledged`);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
