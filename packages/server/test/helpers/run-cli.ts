// Runs the `pecta` CLI from source (tests spawn this so they exercise the code under test, not a stale build).
import { main } from '../../src/cli.js';

process.exitCode = await main(process.argv.slice(2));
