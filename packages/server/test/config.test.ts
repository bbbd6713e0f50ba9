import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEFAULT_CONFIG, loadConfig } from '../src/config.js';

describe('timeouts and the shutdown grace period', () => {
  it('default to 10 s for headers, 30 s for the whole request and 10 s of grace', () => {
    const config = loadConfig({}, {});
    assert.equal(config.headersTimeoutMs, 10_000);
    assert.equal(config.requestTimeoutMs, 30_000);
    assert.equal(config.shutdownGraceMs, 10_000);
    assert.equal(DEFAULT_CONFIG.requestTimeoutMs, 30_000);
  });
  it('come from PECTA_* variables and flags, flags winning', () => {
    const env = { PECTA_HEADERS_TIMEOUT_MS: '2000', PECTA_REQUEST_TIMEOUT_MS: '5000', PECTA_SHUTDOWN_GRACE_MS: '0' };
    const fromEnv = loadConfig({}, env);
    assert.deepEqual([fromEnv.headersTimeoutMs, fromEnv.requestTimeoutMs, fromEnv.shutdownGraceMs], [2000, 5000, 0]);
    const fromFlags = loadConfig({ 'headers-timeout': '3000', 'request-timeout': '60000', 'shutdown-grace': '250' }, env);
    assert.deepEqual([fromFlags.headersTimeoutMs, fromFlags.requestTimeoutMs, fromFlags.shutdownGraceMs], [3000, 60000, 250]);
  });
  it('refuse a headers timeout longer than the request timeout, and values out of range, naming the setting', () => {
    assert.throws(() => loadConfig({ 'headers-timeout': '40000' }, {}), (e: unknown) => e instanceof ConfigError && /--headers-timeout.*--request-timeout/.test(e.message));
    assert.throws(() => loadConfig({}, { PECTA_REQUEST_TIMEOUT_MS: '5' }), /PECTA_REQUEST_TIMEOUT_MS must be between/);
    assert.throws(() => loadConfig({ 'shutdown-grace': '-1' }, {}), /--shutdown-grace must be a whole number/);
  });
});
