// Tier 3b: the installed .vsix in code-server, driven as a user would in headless Chromium.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openActivity, runFromPalette, screenshot, webviewFrame, useWorkbench } from '../../harness/workbench';

describe('the extension in the VS Code workbench (installed .vsix)', () => {
  const ctx = useWorkbench();

  it('has its own activity-bar container whose empty tree says what to do first', async () => {
    await openActivity(ctx.wb.page, 'WeCom Archive');
    const welcome = ctx.wb.page.locator('.welcome-view-content', { hasText: 'No corp is connected yet.' });
    await welcome.waitFor({ timeout: 30_000 });
    assert.ok(await welcome.locator('a, .monaco-button', { hasText: 'Start Demo' }).count() > 0, 'no Start Demo button in the welcome view');
    await screenshot(ctx.wb.page, 'foundation-1-activity-bar');
  });

  it('runs a command from the palette and shows its webview', async () => {
    await runFromPalette(ctx.wb.page, 'WeCom Archive: Search Messages…');
    const heading = webviewFrame(ctx.wb.page).locator('#search-form h1');
    await heading.waitFor({ timeout: 30_000 });
    assert.equal(await heading.textContent(), 'Search messages');
    const input = webviewFrame(ctx.wb.page).locator('#query-word input');
    await input.fill('合同');
    assert.equal(await webviewFrame(ctx.wb.page).locator('#search-submit').isDisabled(), false);
    await screenshot(ctx.wb.page, 'foundation-2-search-panel');
  });

  it('opens the log channel from the palette', async () => {
    await runFromPalette(ctx.wb.page, 'WeCom Archive: Show Log');
    await ctx.wb.page.locator('.output-view, .panel', { hasText: 'Activating WeCom Chat Archive' }).first().waitFor({ timeout: 20_000 });
    await screenshot(ctx.wb.page, 'foundation-3-log');
  });
});
