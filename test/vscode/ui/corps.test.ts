// Journey 10 (many corps on one laptop), against one simulator process serving three corps:
// profiles added through the wizard, and after a window reload every corp syncs in the background
// without a command. A corp last synced 4.5 days ago whose sync now fails shows "⚠ … left" in the
// tree and the status bar, with a warning notification; a corp with a callback token service sends
// that service's token (the simulator's stats say so).
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { openArchive } from '../../../src/core/archive';
import { SyncEngine } from '../../../src/core/archive/sync';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator';
import { WeComClient } from '../../../src/core/wecom/client';
import { demoTokenSource } from '../../../src/core/wecom/tokens';
import { HttpTransport } from '../../../src/core/wecom/transport';
import { openActivity, runFromPalette, screenshot, useWorkbench } from '../../harness/workbench';

const input = (page: Page) => page.locator('.quick-input-widget .quick-input-box input.input');
const DAY_MS = 86_400_000;

async function answer(page: Page, prompt: string | RegExp, value: string): Promise<void> {
  await page.locator('.quick-input-widget', { hasText: prompt }).waitFor({ timeout: 15_000 });
  await input(page).fill(value);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(250);
}

/** Adds a profile through the wizard; `reachable: false` when its sync_msg fails (then "Save Anyway"). */
async function addProfile(page: Page, sim: RunningSimulator, corp: RunningSimulator['corps'][number], name: string, reachable = true): Promise<void> {
  await runFromPalette(page, 'WeCom Archive: Add Profile…');
  await answer(page, 'Add profile (1/5)', name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Suite credentials' }).first().click();
  await answer(page, 'suite_id', corp.suite.suiteId);
  await answer(page, 'suite_secret', corp.suite.suiteSecret);
  await answer(page, 'suite_ticket', corp.suite.suiteTicket);
  await answer(page, 'auth_corpid', corp.corpId);
  await answer(page, 'permanent_code', corp.suite.permanentCode);
  await answer(page, 'API base URL', sim.url);
  await answer(page, 'Viewer page URL', '');
  if (reachable) {
    await page.locator('.notifications-toasts .notification-toast, .notification-list-item', { hasText: `Connected to "${name}"` }).first().waitFor({ timeout: 30_000 });
  } else {
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: `Save the profile "${name}" anyway?` }).first();
    await toast.waitFor({ timeout: 30_000 });
    await toast.locator('.monaco-button', { hasText: 'Save Anyway' }).click();
  }
  await rowText(page, name, /./, 20_000);
}

/** Collapses the tree, so each profile's row is on screen (the list renders only what is visible). */
async function collapseAll(page: Page): Promise<void> {
  const button = page.locator('.part.sidebar .title-actions .action-label[aria-label^="Collapse All"]').first();
  if (await button.isVisible()) await button.click();
}

/** Waits until the profile row `name` matches `pattern`; returns its text. */
async function rowText(page: Page, name: string, pattern: RegExp, timeout: number): Promise<string> {
  const row = page.locator('.part.sidebar .monaco-list-row', { hasText: name }).filter({ hasText: pattern }).first();
  const deadline = Date.now() + timeout;
  for (;;) {
    await collapseAll(page);
    if (await row.isVisible()) return (await row.textContent()) ?? '';
    if (Date.now() > deadline) break;
    await page.waitForTimeout(1000);
  }
  await screenshot(page, `corps-debug-${name.replace(/\W+/g, '-')}`);
  const rows = await page.locator('.part.sidebar .monaco-list-row').allTextContents();
  throw new Error(`no row "${name}" matching ${pattern}; rows: ${JSON.stringify(rows.slice(0, 8))}`);
}

const syncCalls = (c: RunningSimulator['corps'][number]) => c.stats().requests['/cgi-bin/chatdata/sync_msg'] ?? 0;

describe('every corp kept: background sync of three corps', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ seed: 17, messages: 1500, corps: [{ messages: 1200 }, { messages: 900 }] });
  });
  after(() => sim?.close());
  const ctx = useWorkbench();

  it('adds three corps; one is last synced 4.5 days ago and now fails, two cannot sync yet; one names a token service', async () => {
    const page = ctx.wb.page;
    const [a, b, c] = sim.corps;
    assert.ok(a && b && c);
    // Until the reload, sync_msg of A and B fails: only the reload's background runs can fill them.
    a.setFaults([{ kind: 'errcode', errcode: 48002, path: 'sync_msg' }]);
    b.setFaults([{ kind: 'errcode', errcode: 48002, path: 'sync_msg' }]);
    await openActivity(page, 'WeCom Archive');

    // C first, so its archive is the only file when it appears. A new corp syncs at once, by itself.
    await addProfile(page, sim, c, 'Corp Gamma');
    await rowText(page, 'Corp Gamma', /synced \d+ min ago/, 60_000);
    const archives = join(ctx.server.userDataDir, 'User', 'globalStorage', 'wecom-chat-archive.wecom-chat-archive', 'archives');
    const files = readdirSync(archives).filter((f) => f.endsWith('.sqlite'));
    assert.equal(files.length, 1, `archives: ${files}`);
    // The same archive, written from here as if that sync had run 4.5 days ago (the lease keeps us apart).
    const extDir = readdirSync(join(ctx.server.root, 'extensions')).find((d) => d.startsWith('wecom-chat-archive.'));
    assert.ok(extDir);
    const workerPath = join(ctx.server.root, 'extensions', extDir, 'dist', 'archive-worker.js');
    assert.ok(existsSync(workerPath));
    const archive = await openArchive(join(archives, files[0]!), { workerPath });
    const transport = new HttpTransport({ env: {} });
    try {
      const client = new WeComClient({ tokenSource: demoTokenSource(c.accessToken), baseUrl: sim.url, transport });
      const past = Date.now() - 4.5 * DAY_MS;
      const engine = new SyncEngine(archive, client, { owner: 'tier3-test', clock: { now: () => past }, callbackToken: () => c.mintCallbackToken() });
      await engine.run();
      assert.equal((await archive.syncState()).lastSuccessAt, past);
    } finally {
      await archive.close();
      await transport.close();
    }
    c.advanceClock(4.5 * 86_400);
    c.setFaults([{ kind: 'errcode', errcode: 60020, path: 'sync_msg' }]);

    await addProfile(page, sim, a, 'Corp Alpha', false);
    await addProfile(page, sim, b, 'Corp Beta', false);
    // Beta (now active) asks the simulator's callback token service for its token.
    await runFromPalette(page, 'WeCom Archive: Set Callback Token…');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: "Use my token service's URL" }).first().click();
    await answer(page, 'GET returns the latest', b.callbackTokenUrl);
    await answer(page, 'API key', '');
    await page.locator('.notifications-toasts .notification-toast, .notification-list-item', { hasText: 'asks http://127.0.0.1' }).first().waitFor({ timeout: 15_000 });
    await rowText(page, 'Corp Alpha', /failing since/, 60_000);
    assert.equal(a.messageCount(), 1500);
  });

  it('after a window reload all three sync in the background, with no command', async () => {
    const page = ctx.wb.page;
    const [a, b, c] = sim.corps;
    assert.ok(a && b && c);
    const before = { a: syncCalls(a), b: syncCalls(b), c: syncCalls(c), bValid: b.stats().syncTokens.valid };
    a.setFaults([]);
    b.setFaults([]);
    // code-server saves secrets a moment after they are stored (see profile.test.ts).
    await page.waitForTimeout(1500);
    await runFromPalette(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench .activitybar').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row, .part.sidebar .monaco-list-row').first().waitFor({ timeout: 60_000 });
    await openActivity(page, 'WeCom Archive');

    await rowText(page, 'Corp Alpha', /synced \d+ min ago/, 90_000);
    await rowText(page, 'Corp Beta', /synced \d+ min ago/, 90_000);
    assert.ok(syncCalls(a) > before.a && syncCalls(b) > before.b && syncCalls(c) > before.c, 'each corp was asked by the new window');
    assert.ok(b.stats().syncTokens.valid > before.bValid, `Beta sent its service's token: ${JSON.stringify(b.stats().syncTokens)}`);
    assert.equal(a.stats().syncTokens.valid, 0, 'Alpha has no token service and no pasted token');

    // Gamma: last success 4.5 days ago and its sync fails now: about 12 h left, flagged.
    const gamma = await rowText(page, 'Corp Gamma', /⚠ \d+ h left/, 90_000);
    const hours = Number(/⚠ (\d+) h left/.exec(gamma)?.[1]);
    assert.ok(hours >= 11 && hours <= 12, gamma);
    await page
      .locator('.notifications-toasts .notification-toast, .notification-list-item', { hasText: /"Corp Gamma": \d+ h left before WeCom drops messages/ })
      .first()
      .waitFor({ timeout: 30_000 });
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Corp Gamma' }).first();
    await toast.locator('.monaco-button', { hasText: 'Sync Now' }).waitFor();
    await toast.locator('.monaco-button', { hasText: 'Show Log' }).waitFor();
    await page.locator('.statusbar-item', { hasText: '⚠ 1 corp at risk' }).first().waitFor({ timeout: 10_000 });
    await screenshot(page, 'corps-1-at-risk');
  });
});
