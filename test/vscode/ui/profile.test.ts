// Journey 2 (connect a real corp), against a simulator on 127.0.0.1: the Add Profile wizard with
// suite credentials validates as the user types, tests the connection ("connected"), and the
// profile's secrets survive a reload of the window.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { openActivity, runFromPalette, screenshot, treeRow, useWorkbench } from '../../harness/workbench';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator';

const input = (page: Page) => page.locator('.quick-input-widget .quick-input-box input.input');

/** Types into the wizard's current step (whose prompt contains `prompt`) and presses Enter. */
async function answer(page: Page, prompt: string | RegExp, value: string): Promise<void> {
  await page
    .locator('.quick-input-widget', { hasText: prompt })
    .waitFor({ timeout: 15_000 })
    .catch(async (e) => {
      await screenshot(page, 'profile-debug');
      throw new Error(`step "${prompt}" not shown; the quick input says: ${(await page.locator('.quick-input-widget').textContent()) ?? ''}`, { cause: e });
    });
  await input(page).fill(value);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(250);
}

async function notification(page: Page, text: string | RegExp): Promise<void> {
  await page
    .locator('.notifications-toasts .notification-toast, .notification-list-item', { hasText: text })
    .first()
    .waitFor({ timeout: 30_000 })
    .catch(async (e) => {
      await screenshot(page, 'profile-debug-notification');
      const shown = await page.locator('.notifications-toasts .notification-toast, .notification-list-item').allTextContents();
      throw new Error(`no "${String(text)}" notification; shown: ${JSON.stringify(shown)}`, { cause: e });
    });
}

describe('adding a profile through the wizard', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ messages: 1000 });
  });
  after(() => sim?.close());
  const ctx = useWorkbench();

  it('walks the steps with suite credentials, refuses bad input as it is typed, and says connected', async () => {
    const page = ctx.wb.page;
    await openActivity(page, 'WeCom Archive');
    await runFromPalette(page, 'WeCom Archive: Add Profile…');
    await answer(page, 'Add profile (1/5)', 'Acme Corp');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Suite credentials' }).first().click();
    await answer(page, 'suite_id', sim.suite.suiteId);
    await answer(page, 'suite_secret', sim.suite.suiteSecret);
    await answer(page, 'suite_ticket', sim.suite.suiteTicket);
    // auth_corpid: an impossible id is refused while typing, with the rule.
    await page.locator('.quick-input-widget', { hasText: 'auth_corpid' }).waitFor();
    await input(page).fill('a b');
    await page.locator('.quick-input-widget', { hasText: 'A corp id is 4–64 letters' }).waitFor({ timeout: 5000 });
    await answer(page, 'A corp id is 4–64 letters', sim.corpId); // the message stands in for the prompt
    await answer(page, 'permanent_code', sim.suite.permanentCode);
    // Base URL: plain http to a non-loopback host is refused as typed.
    await page.locator('.quick-input-widget', { hasText: 'API base URL' }).waitFor();
    await input(page).fill('http://qyapi.example.com');
    await page.locator('.quick-input-widget', { hasText: 'Insecure URL' }).waitFor({ timeout: 5000 });
    await screenshot(page, 'profile-1-wizard-validation');
    await answer(page, 'Insecure URL', sim.url);
    await answer(page, 'Viewer page URL', '');
    await notification(page, 'Connected to "Acme Corp"');
    await treeRow(page, 'Acme Corp').waitFor({ timeout: 20_000 });
    await screenshot(page, 'profile-2-connected');
  });

  it('keeps the secrets across a window reload: the connection test passes again', async () => {
    const page = ctx.wb.page;
    const corpTokenCalls = () => sim.stats().requests['/cgi-bin/service/get_corp_token'] ?? 0;
    const before = corpTokenCalls();
    assert.ok(before > 0, 'the wizard got its token through the suite chain');
    // code-server encrypts and writes secrets a moment after `secrets.store` resolves; a reload in
    // that moment loses them (the connection test then says "No permanent_code was given"). A user
    // does not reload within a second of saving a profile, and neither does this test.
    await page.waitForTimeout(1500);
    await runFromPalette(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench .activitybar').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row, .part.sidebar .monaco-list-row').first().waitFor({ timeout: 60_000 });
    await openActivity(page, 'WeCom Archive');
    const row = treeRow(page, 'Acme Corp');
    await row.waitFor({ timeout: 30_000 }).catch(async (e) => {
      await screenshot(page, 'profile-debug-reload');
      throw e;
    });
    await row.click({ button: 'right' });
    const item = page.locator('.context-view .action-item', { hasText: 'Test Connection' }).first();
    await item.waitFor();
    await page.waitForTimeout(600); // menus ignore a mouse-up right after they open
    await item.click();
    await notification(page, 'Connected to "Acme Corp"');
    // A new window has no token cached: it fetched one with the suite secrets it kept.
    assert.ok(corpTokenCalls() > before, 'no new get_corp_token call after the reload');
  });
});
