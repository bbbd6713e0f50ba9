#!/usr/bin/env node
// The `pecta` command. Runs the compiled CLI (built by `npm install` through the root `prepare` script).
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (error) => {
    console.error(`pecta: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
