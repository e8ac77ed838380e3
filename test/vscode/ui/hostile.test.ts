// Tier 3, in code-server against demo mode's simulator fed the hostile corpus: the tree shows a
// U+202E id with its marker; "Search in This Chat" on a 2,000-char group (its id ends in a tab)
// returns its hits; a hit with a 2,000-char msgid opens highlighted in its stream; the results
// survive switching tabs and back. And another extension gets nothing from activate().
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { hasHiddenCharacters } from '../../../src/shared/visibleText';
import { CORPUS_WORD, LONG_MSGID, RLO_ID, hostileCorpus } from '../../harness/hostileCorpus';
import { packageProbe } from '../../harness/probe';
import { openActivity, runFromPalette, screenshot, treeRow, useWorkbench, webviewFrame } from '../../harness/workbench';

const corpus = [
  ...hostileCorpus(),
  // A single chat whose party id holds a right-to-left override.
  { json: { msgid: 'm-single-rlo', sender: { type: 1, id: RLO_ID }, receiver_list: [{ type: 2, id: 'wmPeer' }], send_time: 1_700_000_100, msgtype: 1, service_encrypt_info: { encrypted_secret_key: 'AAAA', public_key_ver: 1 } }, content: `${CORPUS_WORD} single` },
];
const searchable = hostileCorpus().filter((m) => m.content !== undefined).length;

/** The demo simulator's URL, from the extension's log file (the notification may be gone). */
async function demoUrl(userDataDir: string): Promise<string> {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.log') ? [join(dir, e.name)] : []));
  for (let i = 0; i < 150; i++) {
    for (const f of files(join(userDataDir, 'logs'))) {
      const m = /Demo simulator started on (http:\/\/127\.0\.0\.1:\d+)/.exec(readFileSync(f, 'utf8'));
      if (m) return m[1]!;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no "Demo simulator started on" line in the logs');
}

/** Runs a tree row's context-menu item. A chat's tooltip hover can take the right-click under load: put it away and retry. */
async function contextMenu(page: Page, row: ReturnType<typeof treeRow>, label: string): Promise<void> {
  const item = page.locator('.context-view .action-item', { hasText: label }).first();
  for (let attempt = 0; ; attempt++) {
    await page.mouse.move(1, 1);
    await page.keyboard.press('Escape');
    await row.click({ button: 'right' });
    try {
      await item.waitFor({ timeout: 5000 });
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
  await page.waitForTimeout(600); // workbench menus ignore a mouse-up right after they open
  await item.click();
}

async function filterTree(page: Page, text: string): Promise<void> {
  // A webview that takes focus as it loads closes the picker under the click: open it again.
  for (let attempt = 1; ; attempt++) {
    await runFromPalette(page, 'WeCom Archive: Filter Chats…');
    try {
      await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Id contains…' }).first().click({ timeout: 5000 });
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
      await page.keyboard.press('Escape');
    }
  }
  // The picker is replaced by an input box: fill that one, not the picker on its way out.
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Filter chats by id' }).waitFor({ timeout: 15_000 });
  const input = page.locator('.quick-input-widget .quick-input-box input.input');
  await input.fill(text);
  await page.keyboard.press('Enter');
}

describe('hostile data in the workbench, against demo mode', () => {
  const ctx = useWorkbench({ settings: { 'wecomArchive.tree.pageSize': 10, 'wecomArchive.demo.messages': 2000, 'workbench.colorTheme': 'Default Light Modern' }, extraVsix: [packageProbe()] });

  it('another extension gets undefined from activate() in a normal (non-test) host', async () => {
    const file = join(ctx.server.workspace, 'exports-probe.json');
    let text = '';
    for (let i = 0; i < 300 && !text; i++) {
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const probe = JSON.parse(text) as { found: boolean; active: boolean; exportsType: string; keys: string[]; probeMode: number; error?: string };
    assert.equal(probe.found, true, 'the probe sees the extension');
    assert.equal(probe.error, undefined);
    assert.equal(probe.active, true);
    assert.equal(probe.probeMode, 1, 'a normal host: ExtensionMode.Production');
    assert.equal(probe.exportsType, 'undefined', `activate() returned ${probe.exportsType} with ${probe.keys.join(', ')}`);
  });

  it('syncs the corpus; the tree shows the U+202E id with its marker', async () => {
    const page = ctx.wb.page;
    await openActivity(page, 'WeCom Archive');
    await page.locator('.welcome-view-content a, .welcome-view-content .monaco-button', { hasText: 'Start Demo' }).first().click();
    await treeRow(page, /^Group chats/).waitFor({ timeout: 90_000 });
    // The first sync done (chats with counts): the corpus then arrives with the next sync.
    await page.locator('.part.sidebar .monaco-list-row', { hasText: / msgs · / }).first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(3000);
    const url = await demoUrl(ctx.server.userDataDir);
    const res = await fetch(`${url}/_sim/raw-messages`, { method: 'POST', body: JSON.stringify({ messages: corpus }) });
    assert.equal(res.status, 200, await res.clone().text());
    await runFromPalette(page, 'WeCom Archive: Sync Now');
    await filterTree(page, 'gpj.exe');
    const row = treeRow(page, 'wo⟨U+202E⟩gpj.exe');
    // Sync Now, or demo mode's sync each minute if a sync was still running.
    await row.waitFor({ timeout: 90_000 });
    const label = (await row.locator('.label-name').textContent()) ?? '';
    assert.ok(label.includes('wo⟨U+202E⟩gpj.exe'), label);
    assert.equal(hasHiddenCharacters(label), false, 'no bidi control reaches the label');
    await screenshot(page, 'hostile-tree-rlo');
  });

  it('Search in This Chat on the 2,000-char group returns its hits', async () => {
    const page = ctx.wb.page;
    await filterTree(page, 'GGGGGGGGGGGGGGGGGGGG');
    const group = treeRow(page, 'wrGGGGGGGGGG');
    await group.waitFor({ timeout: 30_000 });
    assert.ok(((await group.textContent()) ?? '').includes('⟨U+0009⟩'), 'the trailing tab shows as a marker');
    await contextMenu(page, group, 'Search in This Chat');
    const frame = webviewFrame(page);
    await frame.locator('#group-fields').waitFor({ state: 'visible', timeout: 30_000 });
    const chatId = await frame.locator('#chat-id').evaluate((el) => (el as HTMLElement & { value: string }).value);
    assert.equal(chatId.length, 2000, 'the whole id, with its tab');
    assert.ok(chatId.endsWith('\t'));
    await frame.locator('#query-word input').fill(CORPUS_WORD);
    await frame.locator('#search-submit').click();
    const hits = frame.locator('#results .msg');
    await hits.nth(searchable - 1).waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    assert.equal(await hits.count(), searchable, 'every searchable corpus message, and nothing else');
    assert.equal(await frame.locator('#results .msg.hit-missing').count(), 0, 'every hit is in the archive');
    await screenshot(page, 'hostile-search-long-group');
  });

  it('a hit with a 2,000-char msgid opens highlighted; the results survive switching tabs and back', async () => {
    const page = ctx.wb.page;
    const frame = webviewFrame(page);
    const ids = await frame.locator('#results .msg').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.msgid ?? ''));
    const at = ids.indexOf(LONG_MSGID);
    assert.ok(at >= 0, 'the 2,000-char msgid is among the hits');
    await frame.locator('#results .msg').nth(at).click();
    const stream = webviewFrame(page);
    await stream.locator('#stream-list .msg.highlight').first().waitFor({ timeout: 30_000 });
    assert.equal(await stream.locator('#stream-list .msg.highlight').first().getAttribute('data-msgid'), LONG_MSGID);
    await screenshot(page, 'hostile-stream-long-msgid');
    await page.locator('.tabs-container .tab', { hasText: 'Search messages' }).first().click();
    const back = webviewFrame(page);
    await back.locator('#results .msg').nth(searchable - 1).waitFor({ timeout: 30_000 });
    assert.equal(await back.locator('#results .msg').count(), searchable);
    assert.equal(await back.locator('#results-header').textContent(), `${searchable} results`);
    assert.equal(await back.locator('#export-csv').evaluate((b) => b.hasAttribute('disabled')), false, 'export still possible');
  });

  it('Search in This Chat into the search panel while it is a background tab fills its form', async () => {
    const page = ctx.wb.page;
    // The stream tab in front: the search panel's webview is gone until it is shown again.
    await page.locator('.tabs-container .tab', { hasText: 'wrGGGG' }).first().click();
    await webviewFrame(page).locator('#stream-list .msg').first().waitFor({ timeout: 30_000 });
    await filterTree(page, 'gpj.exe');
    const row = treeRow(page, 'wo⟨U+202E⟩gpj.exe');
    await row.waitFor({ timeout: 30_000 });
    await contextMenu(page, row, 'Search in This Chat');
    const frame = webviewFrame(page);
    await frame.locator('#single-fields').waitFor({ state: 'visible', timeout: 30_000 });
    const parties = await frame.locator('#single-fields').evaluate(() => [
      (document.getElementById('party-a') as HTMLElement & { value: string }).value,
      (document.getElementById('party-b') as HTMLElement & { value: string }).value,
    ]);
    assert.deepEqual(parties.sort(), [RLO_ID, 'wmPeer'].sort(), 'both parties, the override character kept in the id');
  });
});
