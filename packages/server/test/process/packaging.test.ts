import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

interface Manifest {
  name: string;
  private?: boolean;
  main?: string;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
}

const packages = readdirSync(join(ROOT, 'packages')).map((dir) => ({
  dir: join(ROOT, 'packages', dir),
  manifest: JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8')) as Manifest,
}));

/** The files `npm pack` would put in the package's tarball (offline; the packages are built by `npm test` first). */
function packedFiles(dir: string): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
}

describe('the packages as npm would install them', () => {
  it('no published package depends on one that cannot be published', () => {
    const byName = new Map(packages.map((p) => [p.manifest.name, p.manifest]));
    for (const { manifest } of packages) {
      if (manifest.private) continue;
      for (const dependency of Object.keys(manifest.dependencies ?? {})) {
        const local = byName.get(dependency);
        assert.ok(!local?.private, `${manifest.name} depends on ${dependency}, which is private: installing ${manifest.name} from npm would fail`);
      }
    }
  });

  it('every tarball holds its binaries, its compiled entry points, and the server the built dashboard', () => {
    const files = new Map(packages.map((p) => [p.manifest.name, new Set(packedFiles(p.dir))]));
    for (const { manifest } of packages) {
      for (const bin of Object.values(manifest.bin ?? {})) assert.ok(files.get(manifest.name)!.has(bin.replace(/^\.\//, '')), `${manifest.name}: ${bin}`);
    }
    assert.ok(files.get('@pecta/core')!.has('dist/index.js'));
    assert.ok(files.get('@pecta/server')!.has('dist/cli.js'));
    assert.ok(files.get('@pecta/server')!.has('dist/store/sqlite/writer-worker.js'), 'the writer thread is loaded from its own file');
    assert.ok(files.get('@pecta/server')!.has('dist/store/sqlite/reader-worker.js'), 'so is the reader thread');
    assert.ok(files.get('pecta-proxy')!.has('dist/index.js'));
    assert.ok(files.get('@pecta/dashboard')!.has('dist/index.html'));
    assert.ok([...files.get('@pecta/dashboard')!].some((f) => /^dist\/assets\/index-.*\.js$/.test(f)));
    for (const [name, set] of files) assert.ok(![...set].some((f) => f.startsWith('test/') || f.includes('node_modules')), `${name} ships no tests`);
  });
});
