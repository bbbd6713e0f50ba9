#!/usr/bin/env node
// Lets `npm start` and `npm test` work straight after `git clone`: when dependencies or the compiled packages are
// missing, run `npm ci`, whose `prepare` step compiles the workspaces. A no-op otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const marker = `${root}node_modules/.package-lock.json`;
const built = [
  `${root}packages/core/dist/index.js`,
  `${root}packages/server/dist/cli.js`,
  `${root}packages/proxy/dist/cli.js`,
  `${root}packages/dashboard/dist/index.html`,
];

if (!existsSync(marker)) {
  console.error('pecta: installing dependencies (npm ci; better-sqlite3 compiles from source, about a minute)…');
  run(['ci', '--no-audit', '--no-fund']);
} else if (built.some((f) => !existsSync(f))) {
  console.error('pecta: compiling the workspaces (npm run build)…');
  run(['run', 'build']);
}

function run(args) {
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
