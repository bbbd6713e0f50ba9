/** The browser tests' Chromium discovery order: PECTA_CHROMIUM, then a system binary, then the npm-shipped one. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findChromium, NPM_CHROMIUM, systemCandidates } from './helpers/find-chromium.js';

const PATH = '/home/me/bin:/usr/local/bin:/usr/bin';
const only = (...present: string[]) => (path: string) => present.includes(path);

describe('findChromium', () => {
  it('uses PECTA_CHROMIUM first, even when a system Chromium exists', () => {
    const choice = findChromium({ env: { PATH, PECTA_CHROMIUM: '/opt/my/chrome' }, isExecutable: only('/opt/my/chrome', '/usr/bin/chromium') });
    assert.deepEqual(choice, { source: 'PECTA_CHROMIUM', executablePath: '/opt/my/chrome' });
  });

  it('refuses a PECTA_CHROMIUM that is not there instead of silently using another browser', () => {
    assert.throws(
      () => findChromium({ env: { PATH, PECTA_CHROMIUM: '/nope/chrome' }, isExecutable: only('/usr/bin/chromium') }),
      /PECTA_CHROMIUM=\/nope\/chrome is not an executable file/,
    );
  });

  it('PECTA_CHROMIUM=@sparticuz/chromium skips the system search', () => {
    const choice = findChromium({ env: { PATH, PECTA_CHROMIUM: NPM_CHROMIUM }, isExecutable: only('/usr/bin/chromium') });
    assert.deepEqual(choice, { source: NPM_CHROMIUM });
  });

  it('then a system binary: the names in order, each on every PATH folder', () => {
    const isExecutable = only('/usr/bin/google-chrome', '/usr/local/bin/chromium-browser', '/usr/bin/chromium');
    assert.deepEqual(findChromium({ env: { PATH }, isExecutable }), { source: 'system', executablePath: '/usr/bin/chromium' });
    assert.deepEqual(findChromium({ env: { PATH }, isExecutable: only('/usr/bin/google-chrome', '/usr/local/bin/chromium-browser') }), {
      source: 'system',
      executablePath: '/usr/local/bin/chromium-browser',
    });
    assert.deepEqual(findChromium({ env: { PATH }, isExecutable: only('/usr/bin/google-chrome-stable', '/home/me/bin/google-chrome') }), {
      source: 'system',
      executablePath: '/home/me/bin/google-chrome',
    });
  });

  it('then the usual install paths when nothing is on PATH', () => {
    assert.deepEqual(findChromium({ env: { PATH: '' }, isExecutable: only('/snap/bin/chromium') }), {
      source: 'system',
      executablePath: '/snap/bin/chromium',
    });
    assert.deepEqual(findChromium({ env: {}, isExecutable: only('/usr/bin/chromium') }), { source: 'system', executablePath: '/usr/bin/chromium' });
  });

  it('falls back to the Chromium shipped inside @sparticuz/chromium (no system browser, nothing set)', () => {
    assert.deepEqual(findChromium({ env: { PATH }, isExecutable: () => false }), { source: NPM_CHROMIUM });
    assert.deepEqual(findChromium({ env: { PATH, PECTA_CHROMIUM: '  ' }, isExecutable: () => false }), { source: NPM_CHROMIUM });
  });

  it('lists every name on every PATH folder before the usual paths, without duplicates', () => {
    const list = systemCandidates('/a:/usr/bin');
    assert.deepEqual(list.slice(0, 4), ['/a/chromium', '/usr/bin/chromium', '/a/chromium-browser', '/usr/bin/chromium-browser']);
    assert.equal(new Set(list).size, list.length);
    assert.ok(list.indexOf('/snap/bin/chromium') > list.indexOf('/usr/bin/google-chrome-stable'));
  });
});
