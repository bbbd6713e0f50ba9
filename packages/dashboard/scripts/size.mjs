#!/usr/bin/env node
// Prints the size of the built dashboard, raw and gzipped (level 9, as the server sends it), and fails when the
// JavaScript exceeds its budget. `--json` prints the numbers for scripts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_JS_GZIP = 60 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

export function measure(root = dist) {
  const rows = files(root)
    .filter((path) => !path.endsWith('.gz') && !path.endsWith('.br'))
    .sort()
    .map((path) => {
      const body = readFileSync(path);
      return { file: relative(root, path), bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
    });
  const js = rows.filter((r) => r.file.endsWith('.js'));
  return { rows, jsBytes: js.reduce((n, r) => n + r.bytes, 0), jsGzip: js.reduce((n, r) => n + r.gzip, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let result;
  try {
    result = measure();
  } catch {
    console.error('dashboard: dist/ is missing; run `npm run build --workspace=@pecta/dashboard` first');
    process.exit(1);
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result));
  } else {
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    for (const r of result.rows) console.log(`  ${r.file.padEnd(40)} ${kb(r.bytes).padStart(9)}  gzip ${kb(r.gzip).padStart(8)}`);
    console.log(`  JavaScript total: ${kb(result.jsBytes)}, gzip ${kb(result.jsGzip)} (budget ${kb(BUDGET_JS_GZIP)})`);
  }
  if (result.jsGzip > BUDGET_JS_GZIP) {
    console.error(`dashboard: gzipped JavaScript ${result.jsGzip} B is over the ${BUDGET_JS_GZIP} B budget`);
    process.exit(1);
  }
}
