import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseArgs, UsageError } from '../src/args.js';
import { DEFAULT_ENDPOINT, resolveSettings } from '../src/cli.js';
import { ConfigError, loadConfigFile, parseConfig } from '../src/config.js';

const PK = 'pk_live_' + 'a'.repeat(32);
const SK = 'sk_live_' + 'b'.repeat(32);

describe('parseArgs', () => {
  it('stops at the server command and leaves its own flags alone', () => {
    const a = parseArgs(['--verbose', '--agent-id', 'files', 'npx', '-y', '@mcp/server', '--dry-run', '/tmp']);
    assert.equal(a.command, 'npx');
    assert.deepEqual(a.args, ['-y', '@mcp/server', '--dry-run', '/tmp']);
    assert.equal(a.verbose, true);
    assert.equal(a.dryRun, false);
    assert.equal(a.agentId, 'files');
  });

  it('takes --opt=value and -- before a command that starts with a dash', () => {
    const a = parseArgs(['--key=' + PK, '--timeout=20', '--', '-weird', 'x']);
    assert.equal(a.key, PK);
    assert.equal(a.timeout, '20');
    assert.equal(a.command, '-weird');
    assert.deepEqual(a.args, ['x']);
  });

  it('refuses unknown options, missing values, values on flags and repeats', () => {
    assert.throws(() => parseArgs(['--verbos', 'node']), (e: Error) => e instanceof UsageError && /unknown option --verbos/.test(e.message));
    assert.throws(() => parseArgs(['--key']), /--key needs a value/);
    assert.throws(() => parseArgs(['--config=', 'node']), /--config needs a value/);
    assert.throws(() => parseArgs(['--dry-run=yes', 'node']), /--dry-run takes no value/);
    assert.throws(() => parseArgs(['--agent-id', 'a', '--agent-id', 'b', 'node']), /given twice/);
  });

  it('allows help and version without a command', () => {
    assert.equal(parseArgs(['--help']).help, true);
    assert.equal(parseArgs(['-h']).help, true);
    assert.equal(parseArgs(['--version']).version, true);
    assert.equal(parseArgs([]).command, undefined);
  });
});

describe('parseConfig', () => {
  const names = (config: ReturnType<typeof parseConfig>) => config.gates?.map((g) => g.name);

  it('builds the gate suite: default gates stay on unless false, latency only when configured', () => {
    assert.deepEqual(names(parseConfig({ gates: {} })), ['filesystem', 'pii', 'content']);
    assert.deepEqual(names(parseConfig({ gates: { content: false, latency: { maxMs: 5000 } } })), ['filesystem', 'pii', 'latency']);
    assert.deepEqual(names(parseConfig({ gates: { filesystem: true, pii: { phone: false, name: 'personal-data' } } })), ['filesystem', 'personal-data', 'content']);
    assert.equal(parseConfig({}).gates, undefined);
  });

  it('passes gate options through to the gates', () => {
    const config = parseConfig({ gates: { pii: { email: false }, filesystem: false, content: false } });
    const [gate] = config.gates!;
    const outcome = gate!.run({ agent_id: 'a', output: 'mail jane.doe@example.org' }, new AbortController().signal);
    assert.deepEqual((outcome as { passed: boolean }).passed, true);
  });

  it('reads the scalar options', () => {
    assert.deepEqual(parseConfig({ timeout: 20, failFast: false, agentId: 'files', dryRun: true, verbose: true, log: false, endpoint: 'https://pecta.example.com/', $schema: 'x' }), {
      timeout: 20,
      failFast: false,
      agentId: 'files',
      dryRun: true,
      verbose: true,
      log: false,
      endpoint: 'https://pecta.example.com',
    });
  });

  const bad: [unknown, RegExp][] = [
    [[], /top level must be a JSON object/],
    [{ gate: {} }, /unknown field "gate"/],
    [{ gates: [] }, /"gates" must be an object/],
    [{ gates: { virus: {} } }, /unknown gate "gates\.virus"/],
    [{ gates: { pii: 'yes' } }, /"gates\.pii" must be true, false or an options object/],
    [{ gates: { pii: { phone: 'no' } } }, /"gates\.pii": .*phone/],
    [{ gates: { pii: { fax: false } } }, /"gates\.pii": unknown option "fax"/],
    [{ gates: { latency: true } }, /"gates\.latency" must be false or an object/],
    [{ gates: { latency: { maxMs: -1 } } }, /"gates\.latency": maxMs must be a positive finite number/],
    [{ gates: { filesystem: false, pii: false, content: false } }, /at least one must stay on/],
    [{ timeout: 0 }, /"timeout" must be a number of milliseconds/],
    [{ timeout: '50' }, /"timeout"/],
    [{ timeout: 60_000 }, /at most 10000/],
    [{ failFast: 'true' }, /"failFast" must be true or false/],
    [{ dryRun: 1 }, /"dryRun" must be true or false/],
    [{ agentId: '' }, /"agentId" must be a non-empty string/],
    [{ endpoint: 'ftp://x' }, /"endpoint" must be an http:\/\/ or https:\/\/ URL/],
    [{ gateSampling: 'no' }, /"gateSampling" must be true or false/],
    [{ maxLineBytes: 100 }, /"maxLineBytes" must be a whole number of bytes from 1024 to 268435456/],
    [{ maxLineBytes: 1e12 }, /"maxLineBytes"/],
    [{ maxLineBytes: 2048.5 }, /"maxLineBytes"/],
    [{ maxLineBytes: '16MB' }, /"maxLineBytes"/],
  ];
  for (const [raw, message] of bad) {
    it(`refuses ${JSON.stringify(raw)}`, () => {
      assert.throws(() => parseConfig(raw), (e: Error) => e instanceof ConfigError && message.test(e.message));
    });
  }
});

describe('loadConfigFile and resolveSettings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pecta-proxy-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('names the file and the problem', () => {
    assert.throws(() => loadConfigFile(join(dir, 'missing.json')), /cannot read config file .*missing\.json \(ENOENT\)/);
    assert.throws(() => loadConfigFile(file('broken.json', '{ "gates": ')), /broken\.json is not valid JSON/);
    assert.throws(() => loadConfigFile(file('bad.json', '{ "timeout": -5 }')), /config file .*bad\.json: "timeout" must be/);
  });

  it('applies defaults without flags or file', () => {
    const s = resolveSettings(parseArgs(['node', 'server.js']), {});
    assert.equal(s.command, 'node');
    assert.deepEqual(s.args, ['server.js']);
    assert.deepEqual(s.gates.map((g) => g.name), ['filesystem', 'pii', 'content', 'commands']);
    assert.equal(s.timeout, 50);
    assert.equal(s.failFast, true);
    assert.equal(s.dryRun, false);
    assert.equal(s.log, true);
    assert.equal(s.key, undefined);
    assert.equal(s.endpoint, DEFAULT_ENDPOINT);
    assert.equal(s.agentId, undefined);
    assert.deepEqual(s.gate, { resources: true, prompts: true, sampling: true });
    assert.equal(s.maxLineBytes, 16 * 1024 * 1024);
  });

  it('switches resources, prompts and sampling gating off, and sets the line cap, from the file or flags', () => {
    const config = file('gating.json', JSON.stringify({ gateResources: false, gatePrompts: true, maxLineBytes: 4096 }));
    const fromFile = resolveSettings(parseArgs(['--config', config, 'node']), {});
    assert.deepEqual(fromFile.gate, { resources: false, prompts: true, sampling: true });
    assert.equal(fromFile.maxLineBytes, 4096);
    const argv = ['--config', config, '--no-gate-prompts', '--no-gate-sampling', '--max-line-bytes', '2048', 'node'];
    const fromFlags = resolveSettings(parseArgs(argv), {});
    assert.deepEqual(fromFlags.gate, { resources: false, prompts: false, sampling: false });
    assert.equal(fromFlags.maxLineBytes, 2048);
  });

  it('lets flags beat the environment and the environment beat the file', () => {
    const config = file('full.json', JSON.stringify({ agentId: 'from-file', timeout: 30, dryRun: true, log: false, endpoint: 'http://file:1', gates: { content: false } }));
    const fromFile = resolveSettings(parseArgs(['--config', config, 'node']), {});
    assert.equal(fromFile.agentId, 'from-file');
    assert.equal(fromFile.timeout, 30);
    assert.equal(fromFile.dryRun, true);
    assert.equal(fromFile.log, false);
    assert.equal(fromFile.endpoint, 'http://file:1');
    assert.deepEqual(fromFile.gates.map((g) => g.name), ['filesystem', 'pii']);
    const env = { PECTA_ENDPOINT: 'http://env:2', PECTA_API_KEY: PK, PECTA_SECRET_KEY: SK };
    const fromEnv = resolveSettings(parseArgs(['--config', config, 'node']), env);
    assert.equal(fromEnv.endpoint, 'http://env:2');
    assert.equal(fromEnv.key, PK);
    assert.equal(fromEnv.secretKey, SK);
    const fromFlags = resolveSettings(parseArgs(['--config', config, '--agent-id', 'flag', '--timeout', '10', '--endpoint', 'http://flag:3', 'node']), env);
    assert.equal(fromFlags.agentId, 'flag');
    assert.equal(fromFlags.timeout, 10);
    assert.equal(fromFlags.endpoint, 'http://flag:3');
  });

  it('validates keys, timeout and endpoint flags as usage errors', () => {
    const usage = (argv: string[], env: NodeJS.ProcessEnv, message: RegExp) =>
      assert.throws(() => resolveSettings(parseArgs(argv), env), (e: Error) => e instanceof UsageError && message.test(e.message));
    usage([], {}, /missing the MCP server command/);
    usage(['--key', 'pk_test_123', 'node'], {}, /--key must be a pk_live_ key/);
    usage(['node'], { PECTA_API_KEY: 'nope' }, /--key must be/);
    usage(['--key', PK, '--secret-key', PK, 'node'], {}, /--secret-key must be an sk_live_ key/);
    usage(['--secret-key', SK, 'node'], {}, /give --key too/);
    usage(['--timeout', '50ms', 'node'], {}, /--timeout must be a number of milliseconds/);
    usage(['--timeout', '0', 'node'], {}, /--timeout/);
    usage(['--endpoint', 'localhost:8787', 'node'], {}, /--endpoint must be an http/);
    usage(['--agent-id', ' ', 'node'], {}, /--agent-id must be a non-empty string/);
    usage(['--max-line-bytes', '16MiB', 'node'], {}, /--max-line-bytes must be a whole number of bytes/);
    usage(['--max-line-bytes', '10', 'node'], {}, /--max-line-bytes/);
  });
});
