import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { EvaluationResult } from '@pecta/core';
import { DecisionLog, logEntry, logsDir, verboseLine } from '../src/log.js';
import type { Decision } from '../src/relay.js';

function decision(overrides: Partial<EvaluationResult> = {}, flags: Partial<Decision> = {}): Decision {
  const result: EvaluationResult = {
    evaluation_id: 'ev_01TEST',
    agent_id: 'files',
    tool: 'read_file',
    passed: false,
    gates: [
      { name: 'pii', passed: false, latency_ms: 0.12, reason: 'email address detected in output', details: { types: ['email'], sample: 'jane@x.org' } },
      { name: 'content', passed: false, latency_ms: 0.01, reason: 'pecta:aborted', aborted: true },
      { name: 'latency', passed: true, latency_ms: 0, skipped: true, reason: 'no latency' },
    ],
    total_latency_ms: 0.2,
    latency_ms: 4.5,
    created_at: '2026-03-04T23:59:59.000Z',
    ...overrides,
  };
  return { result, blocked: !result.passed, dryRun: false, kind: 'result', method: 'tools/call', duplicate: false, ...flags };
}

describe('logEntry', () => {
  it('holds the metadata and nothing else: no details, no output', () => {
    const entry = logEntry(decision());
    assert.deepEqual(entry, {
      time: '2026-03-04T23:59:59.000Z',
      evaluation_id: 'ev_01TEST',
      agent_id: 'files',
      tool: 'read_file',
      passed: false,
      action: 'blocked',
      dry_run: false,
      method: 'tools/call',
      response: 'result',
      gates: [
        { name: 'pii', passed: false, latency_ms: 0.12, reason: 'email address detected in output' },
        { name: 'content', passed: false, latency_ms: 0.01, reason: 'pecta:aborted', aborted: true },
        { name: 'latency', passed: true, latency_ms: 0, reason: 'no latency', skipped: true },
      ],
      total_latency_ms: 0.2,
      latency_ms: 4.5,
    });
    assert.ok(!JSON.stringify(entry).includes('jane@x.org'));
  });

  it('says allowed, blocked or flagged (dry run)', () => {
    assert.equal(logEntry(decision({ passed: true, gates: [] })).action, 'allowed');
    assert.equal(logEntry(decision()).action, 'blocked');
    const flagged = logEntry(decision({}, { blocked: false, dryRun: true }));
    assert.equal(flagged.action, 'flagged');
    assert.equal(flagged.dry_run, true);
  });
});

describe('verboseLine', () => {
  it('names agent, tool, verdict and decisive reasons on one line', () => {
    const blocked = verboseLine(decision());
    assert.equal(
      blocked,
      'pecta-proxy: files/read_file BLOCKED: pii (email address detected in output) (gates 0.20 ms, tool 4.5 ms, ev_01TEST)',
    );
    assert.match(verboseLine(decision({}, { blocked: false, dryRun: true })), /FLAGGED \(dry run, forwarded\): pii/);
    assert.match(verboseLine(decision({ passed: true })), /^pecta-proxy: files\/read_file passed \(/);
    assert.ok(!blocked.includes('\n'));
  });
});

describe('DecisionLog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pecta-proxy-log-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one JSON line per entry to the UTC day file, creating the directory', async () => {
    const logs = join(dir, 'home', 'logs');
    const log = new DecisionLog(logs);
    log.append(logEntry(decision()));
    log.append(logEntry(decision({ created_at: '2026-03-05T00:00:01.000Z', evaluation_id: 'ev_2' })));
    log.append(logEntry(decision({ created_at: '2026-03-05T10:00:00.000Z', evaluation_id: 'ev_3' })));
    await log.close();
    assert.deepEqual(readdirSync(logs).sort(), ['2026-03-04.jsonl', '2026-03-05.jsonl']);
    const day1 = readFileSync(join(logs, '2026-03-04.jsonl'), 'utf8');
    const day2 = readFileSync(join(logs, '2026-03-05.jsonl'), 'utf8');
    assert.equal(day1.split('\n').length, 2);
    assert.deepEqual(day2.trim().split('\n').map((l) => JSON.parse(l).evaluation_id), ['ev_2', 'ev_3']);
    if (process.platform !== 'win32') assert.equal(statSync(join(logs, '2026-03-04.jsonl')).mode & 0o777, 0o600);
  });

  it('appends to an existing file instead of truncating it', async () => {
    const logs = join(dir, 'append');
    const first = new DecisionLog(logs);
    first.append(logEntry(decision()));
    await first.close();
    const second = new DecisionLog(logs);
    second.append(logEntry(decision({ evaluation_id: 'ev_again' })));
    await second.close();
    const lines = readFileSync(join(logs, '2026-03-04.jsonl'), 'utf8').trim().split('\n');
    assert.deepEqual(lines.map((l) => JSON.parse(l).evaluation_id), ['ev_01TEST', 'ev_again']);
  });

  it('warns once and keeps going when the directory cannot be created', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const warnings: string[] = [];
    const log = new DecisionLog(join(blocker, 'logs'), (m) => warnings.push(m));
    log.append(logEntry(decision()));
    log.append(logEntry(decision()));
    await log.close();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /cannot write the decision log .* logging is off for this run/);
    assert.equal(existsSync(join(blocker, 'logs')), false);
  });

  it('lives under PECTA_HOME when it is set', () => {
    assert.equal(logsDir({ PECTA_HOME: '/srv/pecta' }), join('/srv/pecta', 'logs'));
    assert.match(logsDir({}), /\.pecta[\\/]logs$/);
  });
});
