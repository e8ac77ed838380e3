// Journey 7 in a real VS Code, against demo mode: the archive's sync position ages out of WeCom's
// 5-day window (the simulator's clock moves on), Sync Now fails with 50100 and names "Reset Sync
// Position…" (the tree shows the failure); that command, confirmed, records the gap honestly (a Gap
// row in the tree) and syncs afresh.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { openActivity, runFromPalette, screenshot, treeRow, useWorkbench } from '../../harness/workbench';

const DAY = 86_400;

function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast, .notification-list-item', { hasText: text }).first();
}

async function control(url: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}/_sim/${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 200, `${path}: ${await res.text()}`);
}

describe('journey 7: WeCom refuses the stored sync position', () => {
  const ctx = useWorkbench({ settings: { 'wecomArchive.demo.messages': 2000, 'workbench.colorTheme': 'Default Dark Modern' } });

  it('Sync Now fails with 50100 and names Reset Sync Position; running it shows the gap and syncs again', async () => {
    const page = ctx.wb.page;
    await openActivity(page, 'WeCom Archive');
    await page.locator('.welcome-view-content a, .welcome-view-content .monaco-button', { hasText: 'Start Demo' }).first().click();
    const running = toast(page, 'Demo mode is running');
    await running.waitFor({ timeout: 90_000 });
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec((await running.textContent()) ?? '')?.[0];
    assert.ok(url, 'the demo names its simulator');
    await treeRow(page, /^Group chats/).waitFor({ timeout: 90_000 });
    await page.locator('.statusbar .codicon-modifier-spin').waitFor({ state: 'detached', timeout: 60_000 });

    // Messages arrive, then the laptop is shut for six days: they age out behind the stored cursor.
    await control(url, 'messages', { count: 40 });
    await control(url, 'clock', { seconds: 6 * DAY });
    await control(url, 'messages', { count: 10 });

    // The failure names the next step; the tree shows it too.
    const refused = toast(page, 'errcode 50100');
    for (let i = 0; i < 3 && !(await refused.isVisible()); i++) {
      await runFromPalette(page, 'WeCom Archive: Sync Now');
      await refused.waitFor({ timeout: 20_000 }).catch(() => undefined);
    }
    await screenshot(page, 'journey-7-cursor-refused');
    assert.match((await refused.textContent()) ?? '', /Reset Sync Position…/);
    await treeRow(page, /^Last sync failed/).waitFor({ timeout: 20_000 });

    await runFromPalette(page, 'WeCom Archive: Reset Sync Position…');
    const confirm = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Reset Sync Position$/ }).first();
    await confirm.waitFor({ timeout: 15_000 });
    await confirm.click();

    await treeRow(page, /^Gap: /)
      .waitFor({ timeout: 30_000 })
      .catch(async (e: unknown) => {
        await screenshot(page, 'journey-7-debug');
        throw e;
      });
    await toast(page, 'could not be synced').waitFor({ timeout: 30_000 });
    await treeRow(page, /^Last sync failed/).waitFor({ state: 'detached', timeout: 60_000 });
    await screenshot(page, 'journey-7-gap-recorded');
  });
});
