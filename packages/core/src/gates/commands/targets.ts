/**
 * How much a path argument puts at stake. Paths are read as written (after quote removal), never resolved: a
 * detector cannot know the working directory, so relative paths are judged by their names.
 *
 * - Scratch: a temporary location (`/tmp/…`, `/var/tmp/…`, `$TMPDIR/…`, `${TMPDIR:-/tmp}/…`) below its root, or a
 *   relative path inside a directory a build regenerates (`node_modules`, `dist`, `build`, `.cache`, `target`, …).
 *   Deleting scratch loses nothing a rebuild or a reinstall cannot bring back.
 * - Catastrophic: the filesystem root, a home directory, or a system directory (`/etc`, `/usr`, `/var`, `/bin`, …)
 *   or anything below one, except temporary locations.
 */
import { SUBSTITUTION_MARK } from './tokenize.js';

const TEMP_ROOTS = ['/tmp/', '/var/tmp/', '/private/tmp/', '/dev/shm/', '$TMPDIR/', '${TMPDIR}/', '$TMP/', '${TMP}/', '$TEMP/', '${TEMP}/'];
const TEMP_DEFAULTED = ['${TMPDIR:-', '${TMPDIR:='];

/** Directories a build, an install or a test run recreates. */
export const REGENERABLE_DIRECTORIES: ReadonlySet<string> = new Set([
  'node_modules',
  'dist',
  'build',
  'out',
  'target',
  'coverage',
  '.cache',
  '.next',
  '.nuxt',
  '.turbo',
  '.parcel-cache',
  '.svelte-kit',
  '.angular',
  '.gradle',
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.tox',
  '.nox',
  '.venv',
  'venv',
  'tmp',
  '.tmp',
  'temp',
  '.eslintcache',
  '.nyc_output',
]);

const SYSTEM_DIRECTORIES = [
  '/etc', '/usr', '/var', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/boot', '/dev', '/proc', '/sys', '/opt',
  '/srv', '/root', '/home', '/Users', '/System', '/Library', '/Applications', '/private', '/mnt', '/media', '/snap',
];
const HOME_SPELLINGS = ['~', '$HOME', '${HOME}'];

function hasParentComponent(path: string): boolean {
  let from = 0;
  for (;;) {
    const at = path.indexOf('..', from);
    if (at === -1) return false;
    const before = at === 0 ? 0x2f : path.charCodeAt(at - 1);
    const after = at + 2 >= path.length ? 0x2f : path.charCodeAt(at + 2);
    if (before === 0x2f && after === 0x2f) return true;
    from = at + 2;
  }
}

export function isTempPath(path: string): boolean {
  if (hasParentComponent(path) || path.includes(SUBSTITUTION_MARK)) return false;
  for (const root of TEMP_ROOTS) {
    if (path.startsWith(root)) return path.length > root.length && !/^\/*$/.test(path.slice(root.length));
  }
  for (const lead of TEMP_DEFAULTED) {
    if (!path.startsWith(lead)) continue;
    const close = path.indexOf('}/');
    return close !== -1 && path.length > close + 2;
  }
  return false;
}

function isRelative(path: string): boolean {
  const c = path.charCodeAt(0);
  return path.length > 0 && c !== 0x2f && c !== 0x7e && c !== 0x24 && c !== 0x5c && !path.includes(SUBSTITUTION_MARK);
}

export function isProjectScratch(path: string): boolean {
  if (!isRelative(path) || hasParentComponent(path)) return false;
  for (const component of path.split('/')) {
    if (REGENERABLE_DIRECTORIES.has(component)) return true;
  }
  return false;
}

export function isScratch(path: string): boolean {
  return isTempPath(path) || isProjectScratch(path);
}

function trimTrailing(path: string): string {
  let end = path.length;
  while (end > 1 && (path.charCodeAt(end - 1) === 0x2f || path.charCodeAt(end - 1) === 0x2a)) end--;
  return path.slice(0, end);
}

/** The root, a home directory, a system directory, or a path below one (temporary locations excepted). */
export function isCatastrophic(path: string): boolean {
  if (isTempPath(path)) return false;
  const trimmed = trimTrailing(path);
  if (trimmed === '/') return true;
  for (const home of HOME_SPELLINGS) {
    if (trimmed === home || path.startsWith(`${home}/`)) return true;
  }
  for (const dir of SYSTEM_DIRECTORIES) {
    if (trimmed === dir || path.startsWith(`${dir}/`)) return true;
  }
  return false;
}

/**
 * The root, a home directory or a system directory itself (`/`, `~`, `/home/alice`, `/etc`, `/usr/`), not a path
 * below one: what a recursive permission change or a plain `rm -r` must not touch.
 */
export function isSystemRoot(path: string): boolean {
  const trimmed = trimTrailing(path);
  if (trimmed === '/' || HOME_SPELLINGS.includes(trimmed) || SYSTEM_DIRECTORIES.includes(trimmed)) return true;
  for (const parent of ['/home/', '/Users/']) {
    if (trimmed.startsWith(parent) && !trimmed.slice(parent.length).includes('/')) return true;
  }
  return false;
}

/** A whole disk or partition device (`/dev/sda`, `/dev/nvme0n1p1`, `/dev/disk2`), not `/dev/null` and friends. */
const BLOCK_DEVICE_PREFIXES = ['sd', 'hd', 'vd', 'xvd', 'nvme', 'mmcblk', 'disk', 'rdisk', 'md', 'dm-', 'mapper/', 'nbd', 'loop'];

export function isBlockDevice(path: string): boolean {
  if (!path.startsWith('/dev/')) return false;
  const name = path.slice(5);
  return BLOCK_DEVICE_PREFIXES.some((prefix) => name.startsWith(prefix) && name.length > prefix.length);
}
