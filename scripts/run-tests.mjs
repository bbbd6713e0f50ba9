#!/usr/bin/env node
// Runs every test file of every package with node's own test runner. Node 20's `--test` has no glob support and
// does not know `.ts`, so the files are listed here. Extra arguments (e.g. a package folder) narrow the run.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['packages'];

function collect(dir, out) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (/\.test\.ts$/.test(entry)) out.push(relative(root, path));
  }
  return out;
}

const files = roots.flatMap((r) => collect(join(root, r), [])).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ['--conditions=development', '--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
