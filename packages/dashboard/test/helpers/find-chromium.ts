/**
 * Which Chromium the browser tests drive, so that `npm test` passes on a machine with nothing but Node.js:
 *   1. PECTA_CHROMIUM, when set: a path to a Chromium or Chrome binary (used as is, an error if it is missing), or
 *      the literal `@sparticuz/chromium` to skip the system search and use the npm-shipped one;
 *   2. a system Chromium or Chrome: chromium, chromium-browser, google-chrome, google-chrome-stable on PATH, then
 *      their usual install paths;
 *   3. the Chromium inside the `@sparticuz/chromium` npm package (a root devDependency; brotli-compressed, it is
 *      unpacked to the temporary folder on first use).
 * Pure: the file-system check is injected, so the order is unit-tested without touching the machine.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const NPM_CHROMIUM = '@sparticuz/chromium';
export const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'] as const;
export const USUAL_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
] as const;

export type ChromiumChoice =
  | { source: 'PECTA_CHROMIUM'; executablePath: string }
  | { source: 'system'; executablePath: string }
  | { source: typeof NPM_CHROMIUM };

export interface FindChromiumInput {
  env: Record<string, string | undefined>;
  /** True when `path` is an executable file. */
  isExecutable: (path: string) => boolean;
}

/** Every system binary worth trying, in order: each name on every PATH folder, then the usual absolute paths. */
export function systemCandidates(pathVariable: string | undefined): string[] {
  const dirs = (pathVariable ?? '').split(delimiter).filter((d) => d !== '');
  const onPath = SYSTEM_NAMES.flatMap((name) => dirs.map((dir) => join(dir, name)));
  return [...new Set([...onPath, ...USUAL_PATHS])];
}

export function findChromium({ env, isExecutable }: FindChromiumInput): ChromiumChoice {
  const pinned = env.PECTA_CHROMIUM?.trim();
  if (pinned) {
    if (pinned === NPM_CHROMIUM) return { source: NPM_CHROMIUM };
    // An explicit choice is not second-guessed: a typo must not silently fall back to another browser.
    if (!isExecutable(pinned)) {
      throw new Error(
        `PECTA_CHROMIUM=${pinned} is not an executable file. Point it at a Chromium or Chrome binary, set it to ` +
          `${NPM_CHROMIUM} for the npm-shipped Chromium, or unset it to search the system first.`,
      );
    }
    return { source: 'PECTA_CHROMIUM', executablePath: pinned };
  }
  const system = systemCandidates(env.PATH).find(isExecutable);
  if (system) return { source: 'system', executablePath: system };
  return { source: NPM_CHROMIUM };
}

export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
