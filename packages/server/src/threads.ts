/** Starting the server's worker threads (the store's writer and reader, evaluations) from the compiled build or from TypeScript sources. */
import { Worker } from 'node:worker_threads';

const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

/** Every thread the server starts, by the path of its script relative to this file (without extension). */
const THREAD_SCRIPTS = {
  writer: 'store/sqlite/writer-worker',
  reader: 'store/sqlite/reader-worker',
  evaluation: 'evaluation/evaluation-worker',
} as const;

export type ThreadScript = keyof typeof THREAD_SCRIPTS;

/**
 * The compiled build starts `<name>.js` directly. From TypeScript sources (the tests, `tsx`), Node 20 applies
 * neither the parent's loader hooks nor an inherited `--import tsx` to a worker, so the thread registers tsx itself
 * before it imports `<name>.ts`. Only --conditions is passed on: it changes how packages resolve, while flags such
 * as --input-type or --eval would break the worker.
 */
export function spawnThread(script: ThreadScript, workerData: unknown): Worker {
  const options = { workerData, execArgv: conditionFlags(process.execArgv) };
  if (!RUNNING_FROM_SOURCE) return new Worker(new URL(`./${THREAD_SCRIPTS[script]}.js`, import.meta.url), options);
  let tsx: string;
  try {
    tsx = import.meta.resolve('tsx/esm/api');
  } catch (error) {
    throw new Error(`running from TypeScript sources needs tsx to start the ${script} thread`, { cause: error });
  }
  const url = new URL(`./${THREAD_SCRIPTS[script]}.ts`, import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

function conditionFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--conditions=') || arg.startsWith('-C=')) out.push(arg);
    else if ((arg === '--conditions' || arg === '-C') && i + 1 < argv.length) out.push(arg, argv[++i]!);
  }
  return out;
}
