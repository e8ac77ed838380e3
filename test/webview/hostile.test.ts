// The hostile corpus (2,000-char ids, U+202E, U+200F, control characters, markup, send_time 1e300,
// -1, 0.5, 2^53) through every request of both webviews, answered by the real checker and
// dispatcher in this process: every request answered (none refused), every row rendered, every id
// shown with its bidi and control characters as visible markers, and no text reversed in the
// layout (each character's position on screen is compared with its order in the text).
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { MessageRow, SearchHit } from '../../src/shared/protocol';
import { hasHiddenCharacters, visibleText } from '../../src/shared/visibleText';
import { chatLabel } from '../../src/host/chats/chatFormat';
import { CORPUS_WORD, LONG_GROUP, LONG_MSGID, LONG_SENDER, RLO_ID, hostileRows } from '../harness/hostileCorpus';
import { searchInit, streamInit } from './fixtures';
import { type NodeHosted, chatHandlers, openWithNodeHost } from './nodeHost';

const TALL = { width: 1400, height: 2600 };

/**
 * For each element, whether its characters are laid out left to right in text order (within one
 * line). A U+202E left in the text reverses what follows it, and this says false.
 */
async function layoutInTextOrder(page: Page, selector: string): Promise<{ text: string; ok: boolean }[]> {
  return page.evaluate((sel) => {
    const out: { text: string; ok: boolean }[] = [];
    for (const el of document.querySelectorAll(sel)) {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      const boxes: { x: number; top: number }[] = [];
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (let i = 0; i < text.length && boxes.length < 200; i++) {
          if (/[\uDC00-\uDFFF]/.test(text[i]!)) continue;
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1 + (/[\uD800-\uDBFF]/.test(text[i]!) ? 1 : 0));
          const r = range.getBoundingClientRect();
          if (r.width > 0) boxes.push({ x: r.left, top: Math.round(r.top) });
        }
      }
      let ok = true;
      for (let i = 1; i < boxes.length; i++) if (boxes[i]!.top === boxes[i - 1]!.top && boxes[i]!.x < boxes[i - 1]!.x - 0.5) ok = false;
      out.push({ text: el.textContent ?? '', ok });
    }
    return out;
  }, selector);
}

/** Every request the webview made was answered exactly once, and none was refused. */
function assertAllAnswered(wv: NodeHosted): void {
  assert.ok(wv.log.requests.size > 0);
  for (const [id, r] of wv.log.requests) {
    const answers = wv.log.responses.get(id) ?? [];
    assert.equal(answers.length, 1, `${r.method} #${id} answered ${answers.length} times`);
    const a = answers[0]!;
    assert.ok(a.kind === 'response' && a.ok, `${r.method} #${id} was refused or failed: ${JSON.stringify(a).slice(0, 300)}`);
  }
}

async function shownTexts(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent ?? ''), selector);
}

describe('hostile corpus: the layout check can fail', () => {
  it('a raw U+202E is caught reversing the text after it', async () => {
    const rows = hostileRows();
    const wv = await openWithNodeHost('stream', streamInit({ total: rows.length }), (log) => chatHandlers(rows, [], log));
    try {
      await wv.page.evaluate((raw) => {
        const span = document.createElement('span');
        span.id = 'negative-control';
        span.textContent = raw;
        document.body.append(span);
      }, `${RLO_ID} abc`);
      const [raw] = await layoutInTextOrder(wv.page, '#negative-control');
      assert.equal(raw?.ok, false, 'the raw override reverses the text: the check must see it');
    } finally {
      await wv.close();
    }
  });
});

describe('hostile corpus through every request of the stream webview', () => {
  const rows: MessageRow[] = hostileRows();
  let wv: NodeHosted;
  before(async () => {
    const title = chatLabel({ key: `g:${LONG_GROUP}`, kind: 'group', chatid: LONG_GROUP, parties: [], memberCount: 5, firstTime: -1, lastTime: 1e300, count: rows.length, countsByType: {}, keyVersions: [1] });
    wv = await openWithNodeHost('stream', streamInit({ chatKey: `g:${LONG_GROUP}`, title, total: rows.length, lastTime: 1_700_000_000 }), (log) => chatHandlers(rows, [], log), { viewport: TALL });
  });
  after(() => wv?.close());

  it('renders every row, in the archive order, with impossible times named', async () => {
    await wv.page.locator('#stream-list .msg').nth(rows.length - 1).waitFor({ timeout: 10_000 });
    const ids = await wv.page.evaluate(() => [...document.querySelectorAll<HTMLElement>('#stream-list .msg')].map((e) => e.dataset.msgid));
    assert.deepEqual(ids, rows.map((r) => r.msgid), 'every msgid, byte-exact, in order');
    const times = await shownTexts(wv.page, '#stream-list .msg-time');
    assert.ok(times.includes('invalid time 1e+300'), JSON.stringify(times));
    assert.ok(times.includes('invalid time 9007199254740992'));
    const days = await shownTexts(wv.page, '#stream-list .day-sep');
    assert.ok(days.includes('invalid time 1e+300'), `day separators: ${JSON.stringify(days)}`);
  });

  it('shows ids with their bidi and control characters as markers, nothing reversed', async () => {
    const selectors = ['#stream-list .msg-id', '#stream-list .party-name', '#stream-list .receiver', '.stream-title'];
    for (const sel of selectors) {
      const texts = await shownTexts(wv.page, sel);
      assert.ok(texts.length > 0, sel);
      for (const t of texts) assert.equal(hasHiddenCharacters(t), false, `${sel}: ${JSON.stringify(t.slice(0, 80))}`);
    }
    assert.ok((await shownTexts(wv.page, '#stream-list .msg-id')).includes(visibleText(`m-${RLO_ID}`)));
    assert.ok((await shownTexts(wv.page, '#stream-list .party-name')).includes('wo⟨U+202E⟩gpj.exe'));
    for (const sel of ['#stream-list .msg-id', '#stream-list .party-name', '#stream-list .receiver']) {
      for (const r of await layoutInTextOrder(wv.page, sel)) assert.ok(r.ok, `${sel} laid out out of order: ${JSON.stringify(r.text.slice(0, 60))}`);
    }
  });

  it('every row action reaches the host with the exact msgid, and is answered', async () => {
    const actions = ['copyId', 'showRaw', 'decryptKey', 'openViewer'] as const;
    for (let i = 0; i < rows.length; i++) {
      for (const a of actions) await wv.page.locator('#stream-list .msg').nth(i).locator(`button[data-action="${a}"]`).click({ force: true });
    }
    await wv.settled();
    for (const r of rows) for (const a of actions) assert.ok(wv.log.actions.includes(`${a} ${r.msgid}`), `${a} on ${JSON.stringify(r.msgid.slice(0, 40))}`);
    await wv.page.locator('#stream-status', { hasText: 'did openViewer' }).waitFor();
  });

  it('jumps, a date, the 2,000-char sender filter, a msgtype filter and a reveal are all answered', async () => {
    await wv.page.locator('#jump-first').click();
    await wv.page.locator('#jump-last').click();
    await wv.page.locator('#jump-date').fill('2023-11-14');
    await wv.page.locator('#jump-date-go').click();
    await wv.page.evaluate((sender) => {
      const d = document.getElementById('sender-filter') as HTMLElement & { value: string };
      d.value = sender;
      d.dispatchEvent(new Event('change'));
    }, LONG_SENDER);
    const expected = rows.filter((r) => r.sender.id === LONG_SENDER).map((r) => r.msgid);
    await wv.page.waitForFunction((n) => document.querySelectorAll('#stream-list .msg').length === n, expected.length);
    assert.deepEqual(await wv.page.evaluate(() => [...document.querySelectorAll<HTMLElement>('#stream-list .msg')].map((e) => e.dataset.msgid)), expected);
    assert.equal(await wv.page.locator('.stream-total').textContent(), `${expected.length} messages`);
    await wv.page.locator('#types-button').click();
    await wv.page.locator('#types-panel vscode-checkbox[data-value="1"]').click();
    await wv.page.locator('#types-button').click();
    await wv.page.locator('#clear-filters').click();
    await wv.send({ kind: 'event', name: 'stream.reveal', msgid: LONG_MSGID });
    await wv.page.locator('#stream-list .msg.highlight').waitFor();
    assert.equal(await wv.page.locator('#stream-list .msg.highlight').getAttribute('data-msgid'), LONG_MSGID);
    await wv.settled();
    const methods = new Set([...wv.log.requests.values()].map((r) => r.method));
    for (const m of ['stream.page', 'stream.locate', 'stream.around', 'stream.senders', 'stream.setFilter', 'message.action']) assert.ok(methods.has(m), `no ${m} was made`);
    const senderFilter = [...wv.log.requests.values()].find((r) => r.method === 'stream.setFilter' && (r.params as { filter: { sender?: string } }).filter.sender === LONG_SENDER);
    assert.ok(senderFilter, 'the 2,000-char sender went to the host whole');
    assertAllAnswered(wv);
  });

  it('no CSP violation, no page error', async () => {
    assert.deepEqual(await wv.cspViolations(), []);
    assert.deepEqual(wv.pageErrors, []);
  });
});

describe('hostile corpus through every request of the search webview', () => {
  const rows = hostileRows();
  const gone = `${LONG_MSGID}-gone`;
  const hits: SearchHit[] = [...rows].reverse().map((row) => ({ msgid: row.msgid, row }));
  hits.splice(2, 0, { msgid: gone }, { msgid: `gone-${RLO_ID}` });
  let wv: NodeHosted;
  const form = { queryWord: CORPUS_WORD, chatType: 2 as const, chatId: LONG_GROUP, partyA: '', partyAType: 1 as const, partyB: '', partyBType: 2 as const, start: '', end: '', limit: '4' };
  before(async () => {
    wv = await openWithNodeHost('search', searchInit({ form, autoRun: true }), (log) => chatHandlers(rows, hits, log), { viewport: TALL });
  });
  after(() => wv?.close());

  it('sends the 2,000-char group id exactly (its trailing tab too) and shows every hit', async () => {
    await wv.page.locator('#results .msg').nth(3).waitFor();
    const run = [...wv.log.requests.values()].find((r) => r.method === 'search.run');
    assert.ok(run);
    assert.equal((run.params as { form: { chatId: string } }).form.chatId, LONG_GROUP);
    while (await wv.page.locator('#load-more').isVisible()) {
      const before = await wv.page.locator('#results .msg').count();
      await wv.page.locator('#load-more').click();
      await wv.page.waitForFunction((n) => document.querySelectorAll('#results .msg').length > n, before);
    }
    assert.deepEqual(await wv.page.evaluate(() => [...document.querySelectorAll<HTMLElement>('#results .msg')].map((e) => e.dataset.msgid)), hits.map((h) => h.msgid));
    assert.equal(await wv.page.locator('#results-header').textContent(), `${hits.length} results`);
  });

  it('shows ids as markers, nothing reversed', async () => {
    for (const sel of ['#results .msg-id', '#results .party-name', '#recent button']) {
      for (const t of await shownTexts(wv.page, sel)) assert.equal(hasHiddenCharacters(t), false, `${sel}: ${JSON.stringify(t.slice(0, 80))}`);
    }
    assert.ok((await shownTexts(wv.page, '#results .hit-missing .msg-id')).includes(visibleText(`gone-${RLO_ID}`)));
    for (const r of await layoutInTextOrder(wv.page, '#results .msg-id')) assert.ok(r.ok, `out of order: ${JSON.stringify(r.text.slice(0, 60))}`);
  });

  it('opens every hit (the 2,000-char msgid too), exports, takes a form and recent searches from the host', async () => {
    const n = await wv.page.locator('#results .msg').count();
    for (let i = 0; i < n; i++) await wv.page.locator('#results .msg').nth(i).click();
    await wv.settled();
    for (const h of hits) assert.ok(wv.log.actions.includes(`open ${h.msgid}`), `opened ${JSON.stringify(h.msgid.slice(0, 30))}`);
    await wv.page.locator('#search-status', { hasText: 'not in the archive' }).waitFor();
    await wv.page.locator('#export-json').click();
    await wv.page.locator('#export-csv').click();
    await wv.page.locator('#search-status', { hasText: 'exported csv' }).waitFor();
    await wv.send({ kind: 'event', name: 'search.recent', recent: [form, { ...form, chatType: 1, partyA: RLO_ID, partyB: LONG_SENDER }] });
    await wv.page.locator('#recent button').nth(1).waitFor();
    assert.ok((await shownTexts(wv.page, '#recent button')).some((t) => t.includes('wo⟨U+202E⟩gpj.exe')));
    await wv.send({ kind: 'event', name: 'search.setForm', form: { ...form, chatType: 1, partyA: `${RLO_ID}\t`, partyB: LONG_SENDER }, formVersion: 2, autoRun: true });
    await wv.page.waitForFunction(() => (document.getElementById('party-a') as HTMLElement & { value: string }).value.endsWith('\t'));
    await wv.settled();
    const last = [...wv.log.requests.values()].filter((r) => r.method === 'search.run').at(-1);
    assert.ok(last);
    assert.equal((last.params as { form: { partyA: string } }).form.partyA, `${RLO_ID}\t`, 'the id with its tab, untrimmed');
    assertAllAnswered(wv);
  });

  it('no CSP violation, no page error', async () => {
    assert.deepEqual(await wv.cspViolations(), []);
    assert.deepEqual(wv.pageErrors, []);
  });
});
