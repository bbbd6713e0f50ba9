/**
 * The dashboard in a real browser (a Chromium through playwright-core, which one: helpers/find-chromium.ts) against the
 * real server, which serves the built bundle from packages/dashboard/dist. Data is seeded through the public API.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import {
  eventually,
  horizontalOverflow,
  overflowingElements,
  launchChromium,
  openPage,
  PHONE,
  removeTemporaryScreenshots,
  screenshot,
  signIn,
  unnamedControls,
  type TestPage,
} from './helpers/browser.js';
import { EMAIL_REASON, seed, SKIP_REASON, type Seeded } from './helpers/seed.js';
import { assertDashboardBuilt, startTestServer, type TestServer } from './helpers/server.js';

const TIMEOUT = { timeout: 90_000 };

let server: TestServer;
let browser: Browser;
let seeded: Seeded;
const opened: TestPage[] = [];

async function open(viewport?: { width: number; height: number }): Promise<TestPage> {
  const t = await openPage(browser, server.url, viewport);
  opened.push(t);
  return t;
}

async function reputation(agentId: string) {
  const r = await server.api('GET', `/v1/reputation/${encodeURIComponent(agentId)}`, server.keys.pk);
  assert.equal(r.status, 200);
  return r.json as { score: number; status: string; evaluations: number; pass_rate: number; streak: number };
}

const rows = (page: Page, table: string) => page.locator(`${table} tbody tr`);

async function agentRowTexts(page: Page): Promise<string[]> {
  return rows(page, '.agents-table').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-agent-id') ?? ''));
}

/** Waits for the agents table to hold every agent with its score loaded. */
async function waitForAgents(page: Page, n: number): Promise<void> {
  await page.locator('.agents-table[aria-busy="false"]').waitFor();
  await eventually(async () => assert.equal(await rows(page, '.agents-table').count(), n));
}

async function waitForEvents(page: Page, expectedRows: number): Promise<void> {
  await eventually(async () => {
    assert.equal(await page.locator('.events-table[aria-busy="false"]').count(), 1);
    assert.equal(await rows(page, '.events-table').count(), expectedRows);
  });
}

const searchOf = (page: Page) => new URL(page.url()).search;

describe('dashboard in Chromium', () => {
  before(async () => {
    assertDashboardBuilt();
    browser = await launchChromium();
    server = await startTestServer();
    seeded = await seed(server);
  });

  after(async () => {
    for (const t of opened) await t.close().catch(() => {});
    await browser?.close();
    await server?.close();
    removeTemporaryScreenshots();
  });

  it('shows the sign-in form at / and refuses malformed and unknown keys', TIMEOUT, async () => {
    const { page, errors } = await open();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.deepEqual(await unnamedControls(page), []);
    await screenshot(page, 'signin.png');

    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('A key looks like pk_live_… or sk_live_…').waitFor();

    await page.getByLabel('API key').fill(`pk_live_${'x'.repeat(32)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'This server does not know this key' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused key is not kept');
    assert.deepEqual(errors, []);
  });

  it('lists every agent with its score (N/50 while calibrating), status and counts, sortable, read-only', TIMEOUT, async () => {
    const { page, errors } = await open();
    const apiCalls: string[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith('/v1/')) apiCalls.push(path);
    });
    await signIn(page, server.keys.pk);
    // The redirect from / is an effect that runs after the first paint, so wait for it rather than read the URL once.
    await page.waitForURL((url) => url.pathname === '/agents', { timeout: 5000 });
    await waitForAgents(page, seeded.agents.length);
    // One request for the whole table (the sign-in checks the key with the same call), none per agent.
    assert.deepEqual(apiCalls.filter((p) => p !== '/v1/agents'), [], `requests: ${apiCalls.join(', ')}`);
    assert.ok(apiCalls.length <= 2);

    // The key lives in this tab's sessionStorage only.
    assert.equal(await page.evaluate(() => sessionStorage.getItem('pecta.key')), server.keys.pk);
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    assert.equal(await page.evaluate(() => document.cookie), '');

    const cell = (agent: string, column: number) => page.locator(`tr[data-agent-id="${agent}"] > :nth-child(${column})`);
    const support = await reputation('support-bot');
    const summarizer = await reputation('summarizer-v2');
    assert.equal(support.status, 'active');
    assert.equal((await cell('support-bot', 2).innerText()).trim(), String(support.score));
    assert.equal((await cell('summarizer-v2', 2).innerText()).trim(), String(summarizer.score));
    assert.equal((await cell('bid-agent', 2).innerText()).trim(), '12/50');
    assert.equal((await cell('new-agent', 2).innerText()).trim(), '0/50');
    assert.equal((await cell('bid-agent', 3).innerText()).trim(), 'calibrating');
    assert.equal((await cell('new-agent', 3).innerText()).trim(), 'new');
    assert.equal((await cell('support-bot', 4).innerText()).trim(), '131');
    assert.equal((await cell('new-agent', 4).innerText()).trim(), '0');
    assert.match(await cell('summarizer-v2', 6).innerText(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);

    // Default order: most recently seen first, as the API answers.
    assert.deepEqual(await agentRowTexts(page), ['new-agent', 'support-bot', 'bid-agent', 'summarizer-v2']);
    const scoreHeader = page.locator('th').filter({ has: page.getByRole('button', { name: 'Score', exact: true }) });
    await page.getByRole('button', { name: 'Score', exact: true }).click();
    assert.equal(await scoreHeader.getAttribute('aria-sort'), 'descending');
    const byScore = [...[['support-bot', support.score], ['summarizer-v2', summarizer.score]] as const]
      .sort((a, b) => b[1] - a[1])
      .map(([id]) => id);
    assert.deepEqual(await agentRowTexts(page), [...byScore, 'bid-agent', 'new-agent'], 'scored agents first, then calibration progress');
    await page.getByRole('button', { name: 'Score', exact: true }).click();
    assert.equal(await scoreHeader.getAttribute('aria-sort'), 'ascending');
    assert.deepEqual(await agentRowTexts(page), ['new-agent', 'bid-agent', ...byScore.reverse()]);
    await page.getByRole('button', { name: 'Agent', exact: true }).click();
    assert.deepEqual(await agentRowTexts(page), ['bid-agent', 'new-agent', 'summarizer-v2', 'support-bot']);
    await page.getByRole('button', { name: 'Evaluations' }).click();
    assert.deepEqual(await agentRowTexts(page), ['support-bot', 'summarizer-v2', 'bid-agent', 'new-agent']);

    // A publishable key manages no keys: no nav entry, and the page says why.
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.deepEqual(await nav.getByRole('link').allInnerTexts(), ['Agents', 'Events']);
    assert.equal(await page.getByText('read-only', { exact: true }).count(), 1);
    assert.deepEqual(await unnamedControls(page), []);
    await screenshot(page, 'agents.png');

    await page.goto('/settings/keys');
    await page.getByText('Managing keys needs a secret key').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create key' }).count(), 0);

    // Links lead to the agent page.
    await page.goto('/agents');
    await page.getByRole('link', { name: 'bid-agent' }).click();
    await page.waitForURL('**/agents/bid-agent');
    await page.getByRole('heading', { name: 'bid-agent', level: 1 }).waitFor();
    assert.equal(await page.getByTestId('score-badge').getAttribute('aria-label'), 'Calibrating: 12 of 50 evaluations');
    assert.deepEqual(errors, []);
  });

  it('shows an agent: score badge by band, cards, failing gates, score over time, latest events', TIMEOUT, async () => {
    const { page, errors } = await open();
    await signIn(page, server.keys.pk, '/agents/support-bot');
    assert.equal(new URL(page.url()).pathname, '/agents/support-bot', 'a deep link survives signing in');
    const rep = await reputation('support-bot');

    const badge = page.getByTestId('score-badge');
    await badge.waitFor();
    assert.equal((await badge.locator('.score-badge-value').innerText()).trim(), String(rep.score));
    const band = rep.score >= 800 ? 'excellent' : rep.score >= 600 ? 'good' : rep.score >= 400 ? 'fair' : 'poor';
    assert.match((await badge.getAttribute('class'))!, new RegExp(`band-${band}`));

    assert.match(await page.getByTestId('card-evaluations').innerText(), /131[\s\S]*status: active/i);
    assert.match(await page.getByTestId('card-pass-rate').innerText(), new RegExp(`${(rep.pass_rate * 100).toFixed(1)}%`));
    assert.match(await page.getByTestId('card-latency').innerText(), /\d+ ms/);
    assert.match(await page.getByTestId('card-streak').innerText(), new RegExp(`^Streak\\s+${rep.streak}\\b`, 'i'));

    // Failing gates, most frequent first, with the counts of the seeded data.
    const bars = page.locator('.bars .bar-row');
    const expected = Object.entries(seeded.supportBotFailures).sort((a, b) => b[1] - a[1]);
    assert.deepEqual(
      await bars.evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-gate'), Number(li.querySelector('.bar-value')!.firstChild!.textContent)])),
      expected,
    );

    // The score history is drawn by uPlot, one point per event, and described for screen readers.
    const chart = page.getByTestId('score-chart');
    await chart.locator('canvas').waitFor();
    assert.match((await chart.getAttribute('aria-label'))!, new RegExp(`last 131 evaluations: from \\d+ to ${rep.score}`));
    const box = await chart.locator('canvas').boundingBox();
    assert.ok(box && box.width > 300 && box.height > 100, `chart drawn at ${JSON.stringify(box)}`);

    // Latest events: the newest is the live evaluation, blocked by the server's pii gate.
    await waitForEvents(page, 20);
    const newest = rows(page, '.events-table').first();
    assert.equal((await newest.locator('.verdict').innerText()).trim(), 'BLOCK');
    assert.equal(await newest.locator('[data-gate="pii"]').getAttribute('data-state'), 'fail');
    assert.match((await newest.locator('[data-gate="pii"]').getAttribute('title'))!, new RegExp(EMAIL_REASON));
    assert.deepEqual(await unnamedControls(page), []);
    await screenshot(page, 'agent.png');

    await page.getByRole('link', { name: 'All events of this agent' }).click();
    await page.waitForURL('**/events?agent_id=support-bot');
    assert.equal(await page.getByLabel('Agent id').inputValue(), 'support-bot');
    assert.deepEqual(errors, []);
  });

  it('pages through events 100 at a time and filters them as you type; the URL follows', TIMEOUT, async () => {
    const { page, errors } = await open();
    await signIn(page, server.keys.pk, '/events');
    await waitForEvents(page, 100);
    assert.equal(searchOf(page), '');
    assert.match(await page.getByTestId('events-range').innerText(), /Showing events 1–100/);

    // Times are UTC to the second whatever the browser's zone (this one runs in Europe/Paris).
    const first = await server.api('GET', '/v1/events?limit=1', server.keys.pk);
    const newestIso: string = first.json.events[0].created_at;
    assert.equal(await rows(page, '.events-table').first().locator('time').innerText(), newestIso.slice(0, 19).replace('T', ' '));
    const skipped = page.locator('.chip[data-state="skipped"]').first();
    assert.match((await skipped.getAttribute('title'))!, new RegExp(SKIP_REASON));
    assert.match(await page.locator('.chip[data-state="pass"]').first().getAttribute('class') as string, /chip-pass/);
    assert.deepEqual(await unnamedControls(page), []);
    await screenshot(page, 'events.png');

    const previous = page.getByRole('button', { name: 'Previous page' });
    const next = page.getByRole('button', { name: 'Next page' });
    assert.equal(await previous.isDisabled(), true);
    await next.click();
    await page.waitForURL(/\/events\?page=2&cursor=[\w-]+$/);
    await waitForEvents(page, 100);
    assert.match(await page.getByTestId('events-range').innerText(), /Showing events 101–200/);
    const secondPage = page.url();
    const secondRows = await rows(page, '.events-table').locator('time').allInnerTexts();
    await next.click();
    await page.waitForURL(/\/events\?page=3&cursor=[\w-]+$/);
    await waitForEvents(page, seeded.totalEvents - 200);
    const thirdPage = page.url();
    assert.equal(await next.isDisabled(), true, 'a short page is the last one');
    await previous.click();
    await page.waitForURL(secondPage);
    await waitForEvents(page, 100);
    assert.deepEqual(await rows(page, '.events-table').locator('time').allInnerTexts(), secondRows, 'Previous shows the same page again');
    await page.goBack();
    await page.waitForURL(thirdPage);
    await waitForEvents(page, seeded.totalEvents - 200);

    // A deep page opened from its URL alone: the cursor fetches it; the way back starts at the newest page.
    await page.goto(thirdPage);
    await waitForEvents(page, seeded.totalEvents - 200);
    assert.match(await page.getByTestId('events-range').innerText(), /Showing events 201–/);
    assert.equal(await previous.isDisabled(), true, 'this tab never saw page 2');
    await page.getByRole('button', { name: 'Newest events' }).click();
    await page.waitForURL('**/events');
    await waitForEvents(page, 100);

    // Typing an agent id filters (debounced) and goes back to the first page.
    await page.getByLabel('Agent id').pressSequentially('summarizer-v2', { delay: 20 });
    await page.waitForURL('**/events?agent_id=summarizer-v2');
    await waitForEvents(page, 60);
    assert.deepEqual([...new Set(await rows(page, '.events-table').locator('.agent-cell').allInnerTexts())], ['summarizer-v2']);

    await page.getByLabel('Outcome').selectOption('failed');
    await page.waitForURL('**/events?agent_id=summarizer-v2&passed=false');
    await page.getByText('No events match these filters').waitFor();

    await page.getByLabel('Agent id').fill('');
    await page.waitForURL('**/events?passed=false');
    await waitForEvents(page, seeded.failedEvents);
    assert.deepEqual([...new Set(await rows(page, '.events-table').locator('.verdict').allInnerTexts())], ['BLOCK']);

    await page.getByLabel('Agent id').fill('support-bot');
    await page.getByLabel('Outcome').selectOption('passed');
    await page.waitForURL('**/events?agent_id=support-bot&passed=true');
    const passedSupport = (await server.api('GET', '/v1/events?limit=100&agent_id=support-bot&passed=true', server.keys.pk)).json.count as number;
    await waitForEvents(page, passedSupport);
    assert.deepEqual([...new Set(await rows(page, '.events-table').locator('.verdict').allInnerTexts())], ['PASS']);

    // The URL alone restores the view.
    await page.goto('/events?agent_id=support-bot&passed=false&page=1');
    await waitForEvents(page, seeded.failedEvents - (await server.api('GET', '/v1/events?limit=100&passed=false&agent_id=summarizer-v2', server.keys.pk)).json.count);
    assert.equal(await page.getByLabel('Agent id').inputValue(), 'support-bot');
    assert.equal(await page.getByLabel('Outcome').inputValue(), 'failed');
    assert.deepEqual(errors, []);
  });

  it('creates a key (shown once, copyable), lists keys and revokes one after confirmation', TIMEOUT, async () => {
    const { page, context, errors } = await open();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await signIn(page, server.keys.sk);
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.deepEqual(await nav.getByRole('link').allInnerTexts(), ['Agents', 'Events', 'API keys']);
    await nav.getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL('**/settings/keys');
    await eventually(async () => assert.equal(await rows(page, '.keys-table').count(), 2));
    assert.equal(await page.locator('.keys-table .tag').innerText(), 'this session');

    await page.getByLabel('Type').selectOption('publishable');
    await page.getByLabel('Label (optional)').fill('ci-runner');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByLabel('The new key', { exact: true });
    await shown.waitFor();
    const key = await shown.inputValue();
    assert.match(key, /^pk_live_[A-Za-z0-9]{32}$/);
    await page.getByText('It is shown only this once').waitFor();
    await page.getByRole('button', { name: 'Copy the new key' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
    assert.equal((await server.api('GET', '/v1/agents', key)).status, 200, 'the shown key works');
    await eventually(async () => assert.equal(await rows(page, '.keys-table').count(), 3));
    assert.deepEqual(await unnamedControls(page), []);
    await screenshot(page, 'keys.png');

    await page.getByRole('button', { name: 'I have stored the key' }).click();
    assert.equal(await page.getByLabel('The new key', { exact: true }).count(), 0);
    assert.equal((await page.content()).includes(key), false, 'the key is never shown again');

    const revoke = page.getByRole('button', { name: /^Revoke key pk_live_.*\(ci-runner\)$/ });
    await revoke.click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this key?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal((await server.api('GET', '/v1/agents', key)).status, 200, 'cancel revokes nothing');

    await revoke.click();
    await dialog.getByRole('button', { name: 'Revoke key', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.locator('.keys-table tr', { hasText: 'ci-runner' });
    await row.locator('.status-revoked').waitFor();
    assert.equal(await row.getByRole('button').count(), 0, 'a revoked key has nothing left to revoke');
    const refused = await server.api('GET', '/v1/agents', key);
    assert.equal(refused.status, 401);
    assert.equal(refused.json.code, 'auth_revoked');
    assert.deepEqual(errors, []);
  });

  it('sends a revoked session back to sign-in with a message, and sign-out forgets the key', TIMEOUT, async () => {
    const created = await server.api('POST', '/v1/keys', server.keys.sk, { type: 'publishable', label: 'short-lived' });
    assert.equal(created.status, 201);
    const { page } = await open();
    await signIn(page, created.json.key);
    await waitForAgents(page, seeded.agents.length);

    assert.equal((await server.api('DELETE', `/v1/keys/${created.json.id}`, server.keys.sk)).status, 200);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).click();
    await page.getByTestId('signin-notice').filter({ hasText: 'Your key was revoked' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('pecta.key')), null);

    await signIn(page, server.keys.pk, null);
    assert.equal(new URL(page.url()).pathname, '/events', 'signing in again continues where the user was');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.getByTestId('signin-notice').count(), 0, 'a chosen sign-out needs no explanation');
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.locator('.events-table').count(), 0);
  });

  it('shows empty states for a new organisation and an error with retry when the server is unreachable', TIMEOUT, async () => {
    const empty = await server.newOrganization('empty-org');
    const { page, errors } = await open();
    await signIn(page, empty.pk);
    await page.getByText('No agents yet').waitFor();
    await page.goto('/events');
    await page.getByText('No events yet').waitFor();
    await page.goto('/agents/ghost');
    await page.getByText('No evaluations yet').waitFor();
    await page.goto('/settings/nowhere');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();

    // Server down: every API request fails at the network level.
    await page.route('**/v1/**', (route) => route.abort('connectionrefused'));
    await page.goto('/agents');
    const alert = page.getByRole('alert').filter({ hasText: 'Cannot reach the Pecta server' });
    await alert.waitFor();
    await page.unroute('**/v1/**');
    await alert.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('No agents yet').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Sign in' }).count(), 0, 'an unreachable server does not sign anyone out');

    // A server error is reported, not swallowed.
    await page.route('**/v1/events?*', (route) =>
      route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'internal error', code: 'internal_error', status: 500 }) }),
    );
    await page.goto('/events');
    await page.getByRole('alert').filter({ hasText: 'The server could not answer (HTTP 500)' }).waitFor();
    assert.deepEqual(errors, []);
  });

  it('is usable at phone width: nothing overflows the page, every page renders', TIMEOUT, async () => {
    const { page, errors } = await open(PHONE);
    await signIn(page, server.keys.sk);
    await waitForAgents(page, seeded.agents.length);
    assert.ok((await horizontalOverflow(page)) <= 0, `agents page overflows: ${(await overflowingElements(page)).join(', ')}`);
    await page.goto('/events');
    await waitForEvents(page, 100);
    assert.ok((await horizontalOverflow(page)) <= 0, `events page overflows: ${(await overflowingElements(page)).join(', ')}`);
    await page.goto('/settings/keys');
    await page.locator('.keys-table').waitFor();
    assert.ok((await horizontalOverflow(page)) <= 0, `keys page overflows: ${(await overflowingElements(page)).join(', ')}`);
    await page.goto('/agents/support-bot');
    await page.getByTestId('score-chart').locator('canvas').waitFor();
    assert.ok((await horizontalOverflow(page)) <= 0, `agent page overflows: ${(await overflowingElements(page)).join(', ')}`);
    const canvas = await page.getByTestId('score-chart').locator('canvas').boundingBox();
    assert.ok(canvas && canvas.width <= PHONE.width, 'the chart shrinks to the screen');
    await screenshot(page, 'agent-phone.png');
    assert.deepEqual(errors, []);
  });
});
