/**
 * What a group commit costs for a given events/agents layout, measured on raw better-sqlite3 (no server, no threads).
 * Used to choose the storage layout (docs/architecture.md, docs/benchmarks.md); not a test, prints one line per run.
 *
 *   node bench/wal-layout.mjs                                  v1 layout: text org ids, 4.5 KB windows
 *   PRESTR=1 FRAMES=1 CKPT=0 BLOBVAR=1 node bench/wal-layout.mjs
 *                                                              v1 layout, frames counted
 *   ORGINT=1 IDX3=agent_key,passed,created_at BLOB=1500 BLOBVAR=1 PRESTR=1 COMPACT=1 FRAMES=1 CKPT=0 node bench/wal-layout.mjs
 *                                                              v2 layout: integer keys, 1.5 KB windows, compact gates
 *
 * Seeds SEED events (default 200,000), then commits GROUPS groups of 16 batches × 100 events, PER agents per batch out
 * of POOL (10 of 1000), and prints events/s, µs per event spent applying and committing, and (FRAMES=1, best with
 * CKPT=0 so no checkpoint resets the WAL) the WAL frames each commit wrote. Other switches: ORGINT (integer org key),
 * IDX3 (columns of the agent index), NOIDX1/NOIDX2 (drop an index), BLOB (window bytes), BLOBVAR (the window changes on
 * every write, as a real one does), NOAGENT (no agent rows), PRESTR (gates serialised before timing), COMPACT (with PRESTR: gates as arrays), MULTI (rows per
 * INSERT), PAGE (page size), SYNC (synchronous), CKPT (wal_autocheckpoint), BGCK (ms between PASSIVE checkpoints on a
 * second thread), LABEL (printed first).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const E = process.env; const ORGINT = E.ORGINT === '1', PRESTR = E.PRESTR === '1', BLOB = Number(E.BLOB ?? 4502), NOAGENT = E.NOAGENT === '1';
const PER = Number(E.PER ?? 10), POOL = Number(E.POOL ?? 1000), MULTI = Number(E.MULTI ?? 1), GROUPS = Number(E.GROUPS ?? 150), SEED = Number(E.SEED ?? 200000);
const COMPACT = E.COMPACT === '1';
const dir = mkdtempSync(join(tmpdir(), 'pecta-wal-layout-')); const db = new Database(dir + '/m.db');

if (E.PAGE) db.pragma('page_size = ' + E.PAGE);
db.pragma('journal_mode = WAL'); db.pragma('synchronous = ' + (E.SYNC ?? 'FULL')); db.pragma('cache_size = -65536');
db.pragma('wal_autocheckpoint = ' + (E.CKPT ?? 4000)); db.pragma('journal_size_limit = 67108864');

const OT = ORGINT ? 'INTEGER' : 'TEXT';
db.exec(`CREATE TABLE agents (org_id ${OT} NOT NULL, agent_id TEXT NOT NULL, first_seen INTEGER, last_seen INTEGER, eval_count INTEGER, window_blob BLOB, score INTEGER, status TEXT, evaluations INTEGER, passed INTEGER, pass_rate REAL, avg_latency_ms REAL, streak INTEGER, PRIMARY KEY (org_id, agent_id));
CREATE TABLE events (seq INTEGER PRIMARY KEY, org_id ${OT} NOT NULL, evaluation_id TEXT NOT NULL, event_id TEXT, agent_id TEXT NOT NULL, agent_key INTEGER, tool_name TEXT, passed INTEGER NOT NULL, gates TEXT NOT NULL, total_latency_ms REAL, latency_ms REAL, reputation_score INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE UNIQUE INDEX e1 ON events(org_id, event_id) WHERE event_id IS NOT NULL;
${E.NOIDX1 ? '' : 'CREATE INDEX e2 ON events(org_id, passed, created_at);'}
${E.NOIDX2 ? '' : E.IDX3 ? 'CREATE INDEX e3 ON events(' + E.IDX3 + ');' : 'CREATE INDEX e3 ON events(org_id, agent_id, passed, created_at);'}`);
const org = ORGINT ? 1 : 'org_0123456789abcdefghijklmn';
const cols = '(org_id, evaluation_id, event_id, agent_id, tool_name, passed, gates, total_latency_ms, latency_ms, reputation_score, created_at, agent_key)';
const ph = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const ins = db.prepare(`INSERT INTO events ${cols} VALUES ${ph}`);
const insMulti = MULTI > 1 ? db.prepare(`INSERT INTO events ${cols} VALUES ${Array(MULTI).fill(ph).join(',')}`) : null;
const load = db.prepare('SELECT first_seen, last_seen, eval_count, window_blob FROM agents WHERE org_id = ? AND agent_id = ?');
const save = db.prepare(`INSERT INTO agents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (org_id, agent_id) DO UPDATE SET first_seen=excluded.first_seen, last_seen=excluded.last_seen, eval_count=excluded.eval_count, window_blob=excluded.window_blob, score=excluded.score, status=excluded.status, evaluations=excluded.evaluations, passed=excluded.passed, pass_rate=excluded.pass_rate, avg_latency_ms=excluded.avg_latency_ms, streak=excluded.streak`);
const FIELDS = ['name', 'passed', 'latency_ms', 'reason', 'skipped', 'aborted'];
let seq = 0, b = 0;
function mkBatch() {
  const now = Date.now(); const out = [];
  for (let i = 0; i < 100; i++) { const n = b * 100 + i;
    const gates = [{ name: 'filesystem', passed: true, latency_ms: 0.004 }, { name: 'pii', passed: n % 10 !== 0, latency_ms: 0.011, ...(n % 10 === 0 ? { reason: 'email address detected in output' } : {}) }, { name: 'content', passed: true, latency_ms: 0.006 }];
    out.push({ evaluation_id: 'ev_' + (seq++).toString(36).padStart(26, '0'), agent_id: `agent-${(b * PER + (i % PER)) % POOL}`, passed: n % 10 !== 0, gates: PRESTR ? (COMPACT ? JSON.stringify(gates.map(g=>[g.name,g.passed?1:0,g.latency_ms,g.reason??null])) : JSON.stringify(gates, FIELDS)) : gates, latency_ms: 120 + (n % 50), created_at: now });
  }
  b++; return out;
}
let tCommit = 0, tApply = 0, frames = 0, lastWal = 0;
const blob = new Uint8Array(BLOB);
function group(batches) {
  const t0 = performance.now();
  db.exec('BEGIN IMMEDIATE');
  const touched = new Map();
  for (const batch of batches) {
    const rows = [];
    for (const e of batch) {
      let a = touched.get(e.agent_id);
      if (!a) { const r = NOAGENT ? undefined : load.get(org, e.agent_id); a = { n: r?.eval_count ?? 0 }; touched.set(e.agent_id, a); }
      a.n++;
      const row = [org, e.evaluation_id, null, e.agent_id, 'search', e.passed ? 1 : 0, PRESTR ? e.gates : JSON.stringify(e.gates, FIELDS), 0.02, e.latency_ms, 700, e.created_at, Number(e.agent_id.slice(6))];
      if (insMulti) { rows.push(...row); if (rows.length === MULTI * 12) { insMulti.run(rows); rows.length = 0; } }
      else ins.run(row);
    }
    for (let i = 0; i < rows.length; i += 12) ins.run(rows.slice(i, i + 12));
  }
  if (!NOAGENT) for (const [id, a] of touched) { if (E.BLOBVAR) blob[(a.n * 7) % BLOB] ^= 1, blob.copyWithin(0, 1); save.run(org, id, 1, 2, a.n, blob, 700, 'active', 500, 450, 0.9, 140, 3); }
  const t1 = performance.now();
  db.exec('COMMIT');
  const t2 = performance.now(); tApply += t1 - t0; tCommit += t2 - t1; if (E.FRAMES) { const sz = statSync(dir + '/m.db-wal').size; if (sz > lastWal) frames += (sz - lastWal) / (db.pragma('page_size', {simple:true}) + 24); lastWal = sz; }
}
const G = 16;
let ckWorker = null;
if (E.BGCK) {
  const { Worker } = await import('node:worker_threads');
  ckWorker = new Worker(`
    const { workerData, parentPort } = require('node:worker_threads');
    const Database = require('better-sqlite3');
    const db = new Database(workerData.path); let n = 0, stop = false; parentPort.on('message', () => { stop = true; });
    const tick = () => { if (stop) { db.close(); parentPort.postMessage(n); return; } db.pragma('wal_checkpoint(PASSIVE)'); n++; setTimeout(tick, workerData.ms); };
    tick();`, { eval: true, workerData: { path: dir + '/m.db', ms: Number(E.BGCK) } });
}
for (let s = 0; s < SEED / 100 / G; s++) group(Array.from({ length: G }, mkBatch));
tApply = tCommit = 0; frames = 0;
const batches = Array.from({ length: GROUPS }, () => Array.from({ length: G }, mkBatch));
const t = performance.now();
for (const g of batches) group(g);
const el = performance.now() - t;
const ev = GROUPS * G * 100;
console.log(`${(E.LABEL ?? '').padEnd(14)} ${Math.round(ev / el * 1000).toString().padStart(7)} ev/s  apply ${(tApply / ev * 1000).toFixed(2)} µs/ev  commit ${(tCommit / ev * 1000).toFixed(2)} µs/ev frames/group ${(frames/GROUPS).toFixed(0)}`);
if (ckWorker) await ckWorker.terminate(); db.close(); rmSync(dir, { recursive: true });
