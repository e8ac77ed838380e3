// Every msgtype renders with its label and icon, in the stream and in search results; everything
// the API controls is shown as text and never runs (XSS corpus), under the strict CSP.
import { visibleText } from '../../src/shared/visibleText';
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEARCHABLE_MSGTYPES, msgtypeLabel } from '../../src/shared/msgtypes';
import { english } from '../../src/shared/text';
import { chinese } from '../harness/l10n';
import { type HostedPage, openHosted } from './helpers';
import { XSS_CORPUS, everyMsgtypeRows, searchInit, streamInit, xssRows } from './fixtures';

const TALL = { width: 1400, height: 2600 };

const ICONS: Record<number, string> = { 0: 'warning', 1: 'comment', 2: 'file-media', 3: 'smiley', 4: 'link', 6: 'mic', 7: 'device-camera-video', 8: 'file', 12: 'calendar', 13: 'gift', 14: 'location', 21: 'call-incoming', 22: 'call-outgoing', 24: 'pass', 25: 'circle-slash', 27: 'markdown', 28: 'note', 99: 'question' };

interface RowInfo {
  msgid: string;
  type: string;
  icon: string;
  system: boolean;
  searchable: boolean;
  duration: string | null;
}

async function rowInfo(wv: HostedPage, scope: string): Promise<RowInfo[]> {
  return wv.page.evaluate((sel) =>
    [...document.querySelectorAll<HTMLElement>(`${sel} .msg`)].map((el) => ({
      msgid: el.dataset.msgid ?? '',
      type: el.querySelector('.msg-type')?.textContent ?? '',
      icon: [...(el.querySelector('.codicon')?.classList ?? [])].find((c) => c.startsWith('codicon-')) ?? '',
      system: el.classList.contains('msg-system'),
      searchable: el.querySelector('.msg-searchable') !== null,
      duration: el.querySelector('.msg-duration')?.textContent ?? null,
    })),
  scope);
}

async function assertClean(wv: HostedPage): Promise<void> {
  assert.equal(await wv.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined, 'a payload ran');
  assert.deepEqual(await wv.cspViolations(), []);
  assert.deepEqual(wv.pageErrors, []);
}

function checkTypes(rows: RowInfo[], lang: 'en' | 'zh'): void {
  const types = [...Array.from({ length: 29 }, (_, i) => i), 99];
  for (const n of types) {
    const r = rows.find((x) => x.msgid === `type-${n}`);
    assert.ok(r, `msgtype ${n} rendered`);
    assert.equal(r.type, msgtypeLabel(n, lang === 'zh' ? chinese : english), `label of ${n}`);
    assert.match(r.icon, /^codicon-[a-z-]+$/);
    if (ICONS[n]) assert.equal(r.icon, `codicon-${ICONS[n]}`, `icon of ${n}`);
    if (n !== 99) assert.notEqual(r.icon, 'codicon-question', `known type ${n} has its own icon`);
    assert.equal(r.system, n === 24 || n === 25, `system row ${n}`);
    if (n !== 24 && n !== 25) assert.equal(r.searchable, SEARCHABLE_MSGTYPES.has(n), `searchable marker of ${n}`);
    if (n === 21 || n === 22) assert.match(r.duration ?? '', /1:05:03/);
    else assert.equal(r.duration, null);
  }
  assert.equal(rows.find((x) => x.msgid === 'type-99')?.type, lang === 'en' ? 'Unknown type 99' : '未知类型 99');
}

describe('message rows by msgtype', () => {
  it('stream: every msgtype 0–28 and an unknown one, with label, icon, duration, system rows', async () => {
    const rows = everyMsgtypeRows();
    const wv = await openHosted('stream', { init: streamInit({ total: rows.length }), rows }, { viewport: TALL });
    try {
      await wv.until(`document.querySelectorAll('#stream-list .msg').length === ${rows.length}`);
      checkTypes(await rowInfo(wv, '#stream-list'), 'en');
      await assertClean(wv);
    } finally {
      await wv.close();
    }
  });

  it('stream in Chinese: the labels come from msgtypeLabel(n) worded by the zh-cn bundle', async () => {
    const rows = everyMsgtypeRows();
    const wv = await openHosted('stream', { init: streamInit({ total: rows.length }, 'zh'), rows }, { viewport: TALL });
    try {
      await wv.until(`document.querySelectorAll('#stream-list .msg').length === ${rows.length}`);
      checkTypes(await rowInfo(wv, '#stream-list'), 'zh');
      assert.equal(await wv.page.evaluate(() => document.documentElement.lang), 'zh-CN');
      await assertClean(wv);
    } finally {
      await wv.close();
    }
  });

  it('search results reuse the same renderer', async () => {
    const rows = everyMsgtypeRows();
    const form = { queryWord: '合同', chatType: 0 as const, partyA: '', partyAType: 1 as const, partyB: '', partyBType: 2 as const, chatId: '', start: '', end: '', limit: '100' };
    // The fake host serves hits newest first from rows[total - 1 - 3k]: ask for every row by using step-1 rows.
    const wv = await openHosted('search', { init: searchInit({ form, autoRun: true }), rows: rows.flatMap((r) => [r, { ...r, msgid: `${r.msgid}-b` }, { ...r, msgid: `${r.msgid}-c` }]), searchTotal: rows.length }, { viewport: TALL });
    try {
      await wv.until(`document.querySelectorAll('#results .msg').length === ${rows.length}`);
      const info = await rowInfo(wv, '#results');
      checkTypes(info.map((r) => ({ ...r, msgid: r.msgid.replace(/-[bc]$/, '') })), 'en');
      await assertClean(wv);
    } finally {
      await wv.close();
    }
  });
});

describe('XSS corpus in every API-controlled field', () => {
  it('stream: ids, chat id, msgid, names, receivers, title and gap reason stay text', async () => {
    const rows = xssRows();
    const evil = XSS_CORPUS[0]!;
    const wv = await openHosted(
      'stream',
      { init: streamInit({ total: rows.length, title: evil, chatKey: evil, gaps: [{ from: rows[3]!.sendTime + 1, to: rows[4]!.sendTime - 1, reason: XSS_CORPUS[2]! }] }), rows },
      { viewport: TALL },
    );
    try {
      await wv.until(`document.querySelectorAll('#stream-list .msg').length === ${rows.length}`);
      const seen = await wv.page.evaluate(() => ({
        msgids: [...document.querySelectorAll<HTMLElement>('#stream-list .msg')].map((e) => e.dataset.msgid),
        names: [...document.querySelectorAll('#stream-list .msg-sender .party-name')].map((e) => e.textContent),
        receivers: [...document.querySelectorAll('#stream-list .receiver')].map((e) => e.textContent),
        title: document.querySelector('.stream-title')?.textContent,
        gap: document.querySelector('.gap-band')?.textContent,
        dangerous: document.querySelectorAll('#app img, #app script, #app svg, #app iframe, #app a, #app style, #app b').length,
      }));
      assert.deepEqual(seen.msgids.sort(), rows.map((r) => r.msgid).sort());
      for (const r of rows) {
        assert.ok(seen.names.includes(visibleText(r.sender.name ?? r.sender.id)), 'sender shown as text');
        if (r.msgtype === 24 || r.msgtype === 25) continue; // system rows name the sender only
        assert.ok(seen.receivers.includes(visibleText(r.receivers[0]!.name!)), `receiver shown as text: ${r.receivers[0]!.name!.slice(0, 40)} in ${JSON.stringify(seen.receivers.map((x) => x?.slice(0, 40)))}`);
      }
      assert.equal(seen.title, evil);
      assert.ok(seen.gap?.includes(XSS_CORPUS[2]!));
      assert.equal(seen.dangerous, 0, 'no element was created from API text');
      // Actions and senders carry the same strings back to the host untouched.
      await wv.page.locator('#stream-list .msg').first().locator('button[data-action="copyId"]').click({ force: true });
      const req = await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'message.action');
      assert.ok(req.kind === 'request' && req.method === 'message.action' && rows.some((r) => r.msgid === req.params.msgid));
      await wv.page.locator('#stream-status', { hasText: 'host did copyId' }).waitFor();
      await wv.page.locator('#types-button').click();
      await assertClean(wv);
      const senders = await wv.page.evaluate(() => [...document.querySelectorAll('#sender-filter vscode-option')].map((o) => o.textContent ?? ''));
      assert.ok(senders.some((s) => s.includes(XSS_CORPUS[1]!)), 'senders list shows ids as text');
      await assertClean(wv);
    } finally {
      await wv.close();
    }
  });

  it('search: hits, a hit without a row, host replies, recent searches and setForm stay text', async () => {
    const rows = xssRows();
    const evilForm = { queryWord: XSS_CORPUS[0]!, chatType: 1 as const, partyA: XSS_CORPUS[1]!, partyAType: 1 as const, partyB: XSS_CORPUS[2]!, partyBType: 2 as const, chatId: '', start: '', end: '', limit: '50' };
    const wv = await openHosted(
      'search',
      { init: searchInit({ form: evilForm, recent: [evilForm, { ...evilForm, chatType: 2, chatId: XSS_CORPUS[3]! }], autoRun: true }), rows, searchTotal: 4, missingEvery: 2, missingPrefix: XSS_CORPUS[2] },
      { viewport: TALL },
    );
    try {
      await wv.until(`document.querySelectorAll('#results .msg').length === 4`);
      const seen = await wv.page.evaluate(() => ({
        missing: [...document.querySelectorAll<HTMLElement>('#results .hit-missing')].map((e) => e.dataset.msgid),
        missingText: document.querySelector('#results .hit-missing .msg-id')?.textContent,
        recent: [...document.querySelectorAll('#recent button')].map((b) => b.textContent),
        dangerous: document.querySelectorAll('#app img, #app script, #app svg, #app iframe, #app a, #app style, #app b').length,
      }));
      assert.equal(seen.missing.length, 2);
      assert.equal(seen.missingText, `${XSS_CORPUS[2]}1`);
      assert.ok(seen.recent[0]?.includes(XSS_CORPUS[0]!));
      assert.equal(seen.dangerous, 0);
      await wv.page.locator('#results .msg').first().click();
      await wv.page.locator('#search-status', { hasText: 'opened' }).waitFor();
      await wv.send({ kind: 'event', name: 'search.setForm', form: { ...evilForm, queryWord: XSS_CORPUS[4]! }, formVersion: 2, autoRun: false });
      assert.equal(await wv.page.evaluate(() => (document.getElementById('query-word') as HTMLElement & { value: string }).value), XSS_CORPUS[4]);
      await assertClean(wv);
    } finally {
      await wv.close();
    }
  });
});
