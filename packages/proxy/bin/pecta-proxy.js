#!/usr/bin/env node
// The `pecta-proxy` command. Runs the compiled CLI (built by `npm install` through the root `prepare` script).
import { run } from '../dist/cli.js';

run(process.argv.slice(2));
