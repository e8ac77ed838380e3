// Team mode end to end in a real VS Code (journey: a provider's operator reads the shared archive):
// the simulator pushes WeCom's callbacks to the archive service, the service keeps PostgreSQL, and
// the extension opens the service's archive through a "Team archive service" profile added in the
// wizard. A message added in the simulator appears in the open stream panel within 5 s with no
// command run; the key scoped to corp A is offered corp A only and gets 403 for corp B; the
// audit log holds the panel's reads.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { TeamArchive } from '../../../src/core/archive/teamArchive';
import type { ChatSummary } from '../../../src/core/archive/types';
import type { RunningSimulator } from '../../../src/core/simulator/index';
import type { ArchiveService } from '../../../src/server/service';
import { until } from '../../service/helpers';
import { startTeamMode } from '../../service/teamService';
import { openActivity, runFromPalette, screenshot, treeRow, useWorkbench, webviewFrame } from '../../harness/workbench';

/** In the message added live, and nowhere else: the search finds exactly it. */
const PROBE_WORD = 'TeamProbe7391';
const input = (page: Page) => page.locator('.quick-input-widget .quick-input-box input.input');

async function answer(page: Page, prompt: string | RegExp, value: string): Promise<void> {
  await page.locator('.quick-input-widget', { hasText: prompt }).waitFor({ timeout: 15_000 });
  await input(page).fill(value);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(250);
}


describe('team mode in the workbench: simulator → callback → service → PostgreSQL → the open stream', () => {
  let sim: RunningSimulator;
  let service: ArchiveService;
  let base = '';
  let keyA = '';
  let admin = '';
  let auditLog = '';
  /** The group chat the stream panel shows, and the simulator's conversation it is. */
  let chat: ChatSummary;
  let conv = 0;

  before(async () => {
    ({ sim, service, base, keyA, admin, auditLog } = await startTeamMode({ seed: 41, messages: 400, ticketPeriodSeconds: 5 }));
    const corp = sim.corps[0]!;
    const reader = new TeamArchive({ baseUrl: base, apiKey: admin, corpId: corp.corpId });
    try {
      await until('corp A synced by the service', 60_000, async () => (await reader.stats()).messages === corp.messageCount(), 200);
      // A conversation of the simulator that is a group chat: one message there names its chat.
      for (; ; conv++) {
        const [msgid] = corp.addMessages(1, { conv });
        let chatKey = '';
        await until(`message in conversation ${conv} stored`, 20_000, async () => {
          chatKey = (await reader.resolve([msgid!])).found[0]?.chatKey ?? '';
          return chatKey !== '';
        }, 100);
        if (chatKey.startsWith('g:')) {
          chat = (await reader.getChat(chatKey))!;
          break;
        }
      }
    } finally {
      await reader.close();
    }
  });

  after(async () => {
    await service?.stop();
    await sim?.close();
  });

  const ctx = useWorkbench();

  it('adds a "Team archive service" profile; the wizard offers only the corps the key may read', async () => {
    const page = ctx.wb.page;
    await openActivity(page, 'WeCom Archive');
    await runFromPalette(page, 'WeCom Archive: Add Profile…');
    await answer(page, 'Add profile (1/5)', 'Team Alpha');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Team archive service' }).first().click();
    await answer(page, 'URL of the team archive service', base);
    await answer(page, 'API key for the team archive service', keyA);
    const corpRows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await corpRows.filter({ hasText: sim.corps[0]!.corpId }).first().waitFor({ timeout: 15_000 });
    const offered = await corpRows.allTextContents();
    assert.ok(!offered.some((t) => t.includes(sim.corps[1]!.corpId)), `corp B is not offered: ${JSON.stringify(offered)}`);
    await corpRows.filter({ hasText: sim.corps[0]!.corpId }).first().click();
    await answer(page, 'Viewer page URL', '');
    await page.locator('.notifications-toasts .notification-toast, .notification-list-item', { hasText: 'Connected to "Team Alpha": the team archive service keeps' }).first().waitFor({ timeout: 30_000 });
    // The tree shows the service's state for the corp, and its chats.
    await page.locator('.part.sidebar .monaco-list-row', { hasText: 'Team Alpha' }).filter({ hasText: /service: synced/ }).first().waitFor({ timeout: 30_000 });
    await treeRow(page, /^Group chats/).waitFor({ timeout: 30_000 });
    assert.match((await page.locator('.statusbar').textContent()) ?? '', /Team Alpha · service: synced/);
    await screenshot(page, 'team-tree');
  });

  it('a message added in the simulator appears in the open stream panel within 5 s, with no command run', async () => {
    const page = ctx.wb.page;
    await runFromPalette(page, 'WeCom Archive: Filter Chats…');
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Id contains…' }).first().click();
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Filter chats by id' }).waitFor({ timeout: 15_000 });
    await input(page).fill(chat.chatid ?? '');
    await page.keyboard.press('Enter');
    const row = treeRow(page, / msgs · /);
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    const stream = webviewFrame(page);
    await stream.locator('#stream-list .msg').last().waitFor({ timeout: 30_000 });
    const before = await stream.locator('#stream-list .msg').count();
    assert.ok(before > 0);

    const t0 = Date.now();
    const [msgid] = sim.corps[0]!.addMessages(1, { conv, msgtype: 1, content: `live ${PROBE_WORD}` });
    await stream.locator(`#stream-list .msg[data-msgid="${msgid}"]`).waitFor({ timeout: 5000 });
    const elapsed = Date.now() - t0;
    console.log(`# team: simulator → callback → service → PostgreSQL → stream panel in ${elapsed} ms`);
    assert.ok(elapsed < 5000, `${elapsed} ms`);
    await screenshot(page, 'team-stream-live');
  });

  it('the search panel searches through the service (the operator holds no corp credentials)', async () => {
    const page = ctx.wb.page;
    await runFromPalette(page, 'WeCom Archive: Search Messages…');
    const frame = webviewFrame(page);
    await frame.locator('#query-word input').waitFor({ timeout: 30_000 });
    await frame.locator('#query-word input').fill(PROBE_WORD);
    await frame.locator('#search-submit').click();
    await frame.locator('#results .msg').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    assert.equal(await frame.locator('#results .msg').count(), 1, 'the one message with the word');
    assert.equal(await frame.locator('#results .msg.hit-missing').count(), 0, 'resolved from the service\'s archive');
    await screenshot(page, 'team-search');
  });

  it('the key gets 403 and no data for corp B; the audit log holds the panel\'s reads', async () => {
    const res = await fetch(`${base}/v1/chats?corp=${encodeURIComponent(sim.corps[1]!.corpId)}&kind=group`, { headers: { authorization: `Bearer ${keyA}` } });
    const body = await res.text();
    assert.equal(res.status, 403);
    assert.ok(!body.includes('"chats"'), body);
    const entries = readFileSync(auditLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { user: string; action: string; corpId?: string; detail?: string });
    const alice = entries.filter((e) => e.user === 'alice');
    for (const action of ['corps', 'chats', 'messages', 'events', 'search']) assert.ok(alice.some((e) => e.action === action), `audited: ${action}`);
    assert.ok(alice.some((e) => e.action === 'messages' && e.detail === chat.key), 'the stream panel\'s reads name the chat');
    assert.ok(entries.some((e) => e.user === 'alice' && e.action === 'chats.denied' && e.corpId === sim.corps[1]!.corpId));
    assert.ok(!readFileSync(auditLog, 'utf8').includes(keyA), 'keys never reach the audit log');
  });
});
