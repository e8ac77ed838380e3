// Journey 1 (first run, no tenant): the empty tree → Start Demo → the demo corp appears, marked as demo.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openActivity, runFromPalette, screenshot, treeRow, useWorkbench } from '../../harness/workbench';

describe('demo mode in the workbench', () => {
  const ctx = useWorkbench();

  it('starts from the welcome view button and shows the demo corp in the tree and status bar', async () => {
    await openActivity(ctx.wb.page, 'WeCom Archive');
    const button = ctx.wb.page.locator('.welcome-view-content a, .welcome-view-content .monaco-button', { hasText: 'Start Demo' }).first();
    await button.waitFor({ timeout: 30_000 });
    await button.click();
    const row = treeRow(ctx.wb.page, 'Demo corp (simulator)');
    await row.waitFor({ timeout: 60_000 });
    assert.match((await row.textContent()) ?? '', /DEMO · simulator running/);
    const status = ctx.wb.page.locator('.statusbar-item', { hasText: '[DEMO]' }).first();
    await status.waitFor({ timeout: 10_000 });
    await screenshot(ctx.wb.page, 'demo-1-started');
  });

  it('stops from the palette, and the tree says the simulator stopped', async () => {
    await runFromPalette(ctx.wb.page, 'WeCom Archive: Stop Demo Mode');
    await treeRow(ctx.wb.page, 'DEMO · simulator stopped').waitFor({ timeout: 20_000 });
    await screenshot(ctx.wb.page, 'demo-2-stopped');
  });
});
