// Tier 3b: the installed .vsix in code-server, driven as a user would in headless Chromium.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CodeServer, startCodeServer } from '../../harness/codeServer';
import { requireEnv } from '../../harness/paths';
import { type Workbench, openActivity, openWorkbench, runFromPalette, screenshot, webviewFrame } from '../../harness/workbench';

describe('the extension in the VS Code workbench (installed .vsix)', () => {
  let server: CodeServer;
  let wb: Workbench;
  before(async () => {
    server = await startCodeServer({ vsix: requireEnv('WECOM_VSIX') });
    wb = await openWorkbench(server);
  });
  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  it('has its own activity-bar container whose empty tree says what to do first', async () => {
    await openActivity(wb.page, 'WeCom Archive');
    const welcome = wb.page.locator('.welcome-view-content', { hasText: 'No corp is connected yet.' });
    await welcome.waitFor({ timeout: 30_000 });
    assert.ok(await welcome.locator('a, .monaco-button', { hasText: 'Start Demo' }).count() > 0, 'no Start Demo button in the welcome view');
    await screenshot(wb.page, 'foundation-1-activity-bar');
  });

  it('runs a command from the palette and shows its webview', async () => {
    await runFromPalette(wb.page, 'WeCom Archive: Search Messages…');
    const heading = webviewFrame(wb.page).locator('#search-form h1');
    await heading.waitFor({ timeout: 30_000 });
    assert.equal(await heading.textContent(), 'Search messages');
    const input = webviewFrame(wb.page).locator('#query-word input');
    await input.fill('合同');
    assert.equal(await webviewFrame(wb.page).locator('#search-submit').isDisabled(), false);
    await screenshot(wb.page, 'foundation-2-search-panel');
  });

  it('opens the log channel from the palette', async () => {
    await runFromPalette(wb.page, 'WeCom Archive: Show Log');
    await wb.page.locator('.output-view, .panel', { hasText: 'Activating WeCom Chat Archive' }).first().waitFor({ timeout: 20_000 });
    await screenshot(wb.page, 'foundation-3-log');
  });
});
