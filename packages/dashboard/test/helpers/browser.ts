/** Chromium through playwright-core (see find-chromium.ts for which one), plus the few helpers the browser tests share. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { findChromium, isExecutableFile, NPM_CHROMIUM } from './find-chromium.js';

export const LAPTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** The usual headless flags, and an explicit language: uPlot throws on the `en-US@posix` a bare C locale yields. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--lang=en-GB',
];

/**
 * Launches the Chromium that findChromium picks (PECTA_CHROMIUM, then a system one, then the npm-shipped one) and
 * says on stderr which one it is: .ci/run checks that line to prove the browser tests ran on the npm-shipped Chromium.
 */
export async function launchChromium(): Promise<Browser> {
  const choice = findChromium({ env: process.env, isExecutable: isExecutableFile });
  let executablePath: string;
  if (choice.source === NPM_CHROMIUM) {
    const { default: packaged } = await import('@sparticuz/chromium').catch((error: unknown) => {
      throw new Error(
        `No Chromium or Chrome on this machine and ${NPM_CHROMIUM} is not installed (run \`npm ci\`), or point ` +
          `PECTA_CHROMIUM at a Chromium or Chrome binary: ${String(error)}`,
      );
    });
    executablePath = await packaged.executablePath();
  } else {
    executablePath = choice.executablePath;
  }
  const browser = await chromium.launch({ executablePath, args: ARGS });
  process.stderr.write(`pecta browser tests: Chromium ${browser.version()} from ${choice.source} (${executablePath})\n`);
  return browser;
}

/**
 * Screenshots go to docs/img/ when UPDATE_SCREENSHOTS=1 (they change on every run: times, key hints), else to a
 * temporary folder, so that a plain `npm test` leaves the working tree clean. Both runs take and check every shot.
 */
const UPDATE_DOCS = process.env.UPDATE_SCREENSHOTS === '1';
export const SCREENSHOT_DIR = UPDATE_DOCS ? new URL('../../../../docs/img/', import.meta.url).pathname : mkdtempSync(join(tmpdir(), 'pecta-shots-'));
mkdirSync(SCREENSHOT_DIR, { recursive: true });

export function removeTemporaryScreenshots(): void {
  if (!UPDATE_DOCS) rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  const path = join(SCREENSHOT_DIR, name);
  // Let fonts and the chart settle; animations (the spinner) would make shots differ for nothing.
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path, animations: 'disabled' });
  const png = readFileSync(path);
  const size = page.viewportSize()!;
  assert.equal(png.toString('latin1', 1, 4), 'PNG', `${name} is a PNG`);
  assert.deepEqual({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }, size, `${name} has the viewport's size`);
}

export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions, minus the browser's own notes about refused requests. */
  errors: string[];
  close(): Promise<void>;
}

export async function openPage(browser: Browser, baseURL: string, viewport = LAPTOP): Promise<TestPage> {
  const context = await browser.newContext({ baseURL, viewport, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'Europe/Paris' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    // A 401 or an aborted request is logged by Chromium itself; the tests that cause them check what the page shows.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) errors.push(message.text());
  });
  return { page, context, errors, close: () => context.close() };
}

/** Retries `check` until it passes (or the time is up, then throws its last failure). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** `path` null signs in on the page as it is (e.g. after being signed out). */
export async function signIn(page: Page, key: string, path: string | null = '/'): Promise<void> {
  if (path !== null) await page.goto(path);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Every form control, button and link has an accessible name (label, aria-label or text). */
export async function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const missing: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('input, select, textarea, button, a[href], [role="button"]'))) {
      const labelled =
        el.getAttribute('aria-label')?.trim() ||
        (el.getAttribute('aria-labelledby') && document.getElementById(el.getAttribute('aria-labelledby')!)?.textContent?.trim()) ||
        ((el as HTMLInputElement).labels && Array.from((el as HTMLInputElement).labels ?? []).some((l) => l.textContent?.trim())) ||
        (!['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) && el.textContent?.trim());
      if (!labelled) missing.push(el.outerHTML.slice(0, 120));
    }
    return missing;
  });
}

/** The page fits the viewport's width: wide tables scroll inside their own box instead. */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** For a failing overflow check: the elements that stick out to the right. */
export async function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return Array.from(document.querySelectorAll<HTMLElement>('body *'))
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .slice(0, 10)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} right=${Math.round(el.getBoundingClientRect().right)}`);
  });
}
