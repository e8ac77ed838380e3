// Drives the VS Code workbench that code-server serves, in headless Chromium.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { type Browser, launchBrowser } from './browser';
import { after, before } from 'node:test';
import { type CodeServer, type CodeServerOptions, startCodeServer } from './codeServer';
import { requireEnv, screenshotsDir } from './paths';

export interface Workbench {
  page: Page;
  browser: Browser;
  close(): Promise<void>;
}

export async function openWorkbench(server: CodeServer, opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<Workbench> {
  const browser = await launchBrowser(opts);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}`);
  await page.locator('.monaco-workbench .activitybar').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  return { page, browser, close: () => browser.close() };
}

/** Runs a command from the palette by its visible title, as a user would (F1, type, Enter). */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  // Keys typed while a webview has focus stay in its iframe: click the side bar's title first.
  const sideTitle = page.locator('.part.sidebar .composite.title .title-label').first();
  if (await sideTitle.isVisible()) await sideTitle.click();
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  // Click the matching row: Enter would run whichever row happens to be first.
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

/** Shows a view container; a click on the icon of the one already shown would hide it. */
export async function openActivity(page: Page, title: string): Promise<void> {
  const item = page.locator(`.activitybar .action-item:has([aria-label^="${title}"])`).first();
  await item.waitFor();
  if (await item.evaluate((el) => el.classList.contains('checked'))) return;
  await item.locator(`[aria-label^="${title}"]`).first().click();
}

/** The content frame of the visible webview (two nested iframes in the web workbench; hidden panels keep theirs). */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('#active-frame');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotsDir, { recursive: true });
  const path = join(screenshotsDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** A row of a tree in the side bar (notifications are list rows too, so scope to the side bar). */
export function treeRow(page: Page, text: string | RegExp) {
  return page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();
}

/**
 * For one describe block: code-server with the built .vsix installed and a workbench open on it,
 * both stopped afterwards. Returns a holder filled in by the `before` hook.
 */
export function useWorkbench(opts: Omit<CodeServerOptions, 'vsix'> = {}): { server: CodeServer; wb: Workbench } {
  const ctx = {} as { server: CodeServer; wb: Workbench };
  before(async () => {
    ctx.server = await startCodeServer({ vsix: requireEnv('WECOM_VSIX'), ...opts });
    ctx.wb = await openWorkbench(ctx.server);
  });
  after(async () => {
    await ctx.wb?.close();
    await ctx.server?.stop();
  });
  return ctx;
}
