// Entry point that runs the CLI from source (`node --conditions=development --import tsx src/main.ts …`); the
// installed command is bin/pecta-proxy.js, which runs the compiled cli.js the same way.
import { run } from './cli.js';

run(process.argv.slice(2));
