import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type HostedPage, openHosted } from './helpers';
import { streamInit } from './fixtures';

const TOTAL = 100_000;
const BASE = 1_700_000_000;
const STEP = 37;
const id = (i: number) => `msg-${String(i).padStart(7, '0')}`;

/** msgids of the message rows in the DOM, in visual order. */
async function domRows(wv: HostedPage): Promise<string[]> {
  return wv.page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('#stream-list .msg')]
      .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
      .map((e) => e.dataset.msgid ?? ''),
  );
}

/** msgids of the rows actually inside the viewport. */
async function visibleRows(wv: HostedPage): Promise<string[]> {
  return wv.page.evaluate(() => {
    const vp = document.getElementById('stream-list')!.getBoundingClientRect();
    return [...document.querySelectorAll<HTMLElement>('#stream-list .msg')]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.bottom > vp.top && r.top < vp.bottom;
      })
      .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
      .map((e) => e.dataset.msgid ?? '');
  });
}

const focusedId = (wv: HostedPage) => wv.page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.msgid ?? null);

async function assertClean(wv: HostedPage): Promise<void> {
  assert.deepEqual(await wv.cspViolations(), []);
  assert.deepEqual(wv.pageErrors, []);
}

describe('stream webview: a 100k-message chat', () => {
  let wv: HostedPage;
  before(async () => {
    wv = await openHosted('stream', {
      init: streamInit({ total: TOTAL, firstTime: BASE, lastTime: BASE + (TOTAL - 1) * STEP, gaps: [{ from: BASE + 40_000 * STEP + 5, to: BASE + 40_000 * STEP + 20, reason: 'the 5-day window was missed' }] }),
      total: TOTAL,
      baseTime: BASE,
      step: STEP,
    });
    await wv.until(`document.querySelector('#stream-list .msg[data-msgid="${id(TOTAL - 1)}"]')`);
  });
  after(async () => wv.close());

  it('says ready, then starts at the newest message with an unanchored "older" page', async () => {
    const posted = await wv.posted();
    assert.equal(posted[0]?.kind, 'ready');
    const first = (await wv.requests('stream.page'))[0];
    assert.ok(first?.kind === 'request' && first.method === 'stream.page');
    assert.equal(first.params.direction, 'older');
    assert.equal(first.params.from, undefined);
    const visible = await visibleRows(wv);
    assert.equal(visible.at(-1), id(TOTAL - 1), 'the newest message is at the bottom of the view');
  });

  it('keeps which chat it shows in its state, so VS Code can restore the panel after a reload', async () => {
    const state = await wv.page.evaluate(() => (window as unknown as { __getState(): unknown }).__getState());
    assert.deepEqual(state && { profileId: (state as { profileId?: string }).profileId, chatKey: (state as { chatKey?: string }).chatKey }, { profileId: 'demo', chatKey: 'group:wrChat' });
  });

  it('shows the content note once, with day separators and the party badges', async () => {
    assert.equal(await wv.page.locator('#content-note').count(), 1);
    const badges = await wv.page.locator('#stream-list .party-badge').allTextContents();
    assert.ok(badges.includes('Employee') && badges.includes('External contact') && badges.includes('Robot'), badges.join(','));
    assert.ok((await wv.page.locator('#stream-list .msg-more').first().textContent())?.includes('+'));
  });

  it('keeps at most ~300 row elements while scrolling up through 5,000 rows, paging older windows in', async () => {
    const result = await wv.page.evaluate(async () => {
      const vp = document.getElementById('stream-list')!;
      let max = 0;
      const target = 'msg-0095000';
      for (let frame = 0; frame < 3000; frame++) {
        vp.scrollTop = Math.max(0, vp.scrollTop - 600);
        await new Promise((r) => requestAnimationFrame(r));
        const n = vp.querySelectorAll('.msg').length;
        if (n > max) max = n;
        const ids = [...vp.querySelectorAll<HTMLElement>('.msg')].map((e) => e.dataset.msgid ?? '');
        if (ids.some((x) => x <= target)) return { max, reached: true, frames: frame };
      }
      return { max, reached: false, frames: -1 };
    });
    assert.ok(result.reached, 'scrolled 5,000 rows up');
    assert.ok(result.max <= 300, `the DOM held ${result.max} rows`);
    const stats = await wv.stats();
    assert.ok(stats.maxRows <= 300, `max rows observed ${stats.maxRows}`);
    const pages = await wv.requests('stream.page');
    assert.ok(pages.length >= 25, `paged in ${pages.length} windows`);
    assert.ok(pages.slice(1).every((p) => p.kind === 'request' && p.method === 'stream.page' && p.params.from !== undefined), 'later pages use keyset anchors');
  });

  it('keeps a bounded window in memory (never more than 2,000 rows + the markers)', async () => {
    const height = await wv.page.evaluate(() => document.querySelector<HTMLElement>('#stream-list .vlist-spacer')!.offsetHeight);
    assert.ok(height <= 2000 * 52 + 200 * 28 + 100, `the spacer is ${height}px tall`);
  });

  it('jumps to the first message and back to the last', async () => {
    await wv.page.locator('#jump-first').click();
    await wv.until(`document.querySelector('#stream-list .msg[data-msgid="${id(0)}"]')`);
    assert.equal((await visibleRows(wv))[0], id(0));
    const top = await wv.page.evaluate(() => {
      const vp = document.getElementById('stream-list')!.getBoundingClientRect().top;
      return [...document.querySelectorAll('#stream-list .vlist-item')].find((e) => Math.abs(e.getBoundingClientRect().top - vp) < 1)?.className;
    });
    assert.match(top ?? '', /day-sep/, 'a day separator opens the chat');
    const days = await wv.page.evaluate(async () => {
      const vp = document.getElementById('stream-list')!;
      const seen = new Set<string>();
      for (let i = 0; i < 200 && seen.size < 2; i++) {
        for (const d of vp.querySelectorAll('.day-sep')) seen.add(d.textContent ?? '');
        vp.scrollTop += 500;
        await new Promise((r) => requestAnimationFrame(r));
      }
      return [...seen];
    });
    assert.equal(days.length, 2, 'a separator per local day');
    assert.match(days[1] ?? '', /^\d{4}-\d{2}-\d{2}$/);
    const t0 = Date.now();
    await wv.page.locator('#jump-last').click();
    await wv.until(`document.querySelector('#stream-list .msg[data-msgid="${id(TOTAL - 1)}"]')`);
    assert.ok(Date.now() - t0 < 2000);
    assert.equal((await visibleRows(wv)).at(-1), id(TOTAL - 1));
  });

  it('jumps to a date (stream.locate → stream.around) and focuses the first message of that day', async () => {
    const target = 50_000;
    const ts = BASE + target * STEP;
    const day = await wv.page.evaluate((t) => {
      const d = new Date(t * 1000);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    }, ts);
    await wv.page.locator('#jump-date').fill(day);
    await wv.page.locator('#jump-date-go').click();
    const locate = await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'stream.locate');
    assert.ok(locate.kind === 'request' && locate.method === 'stream.locate');
    await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'stream.around');
    await wv.until(`document.activeElement && document.activeElement.classList.contains('msg')`);
    const focused = await focusedId(wv);
    const index = Number(focused?.slice(4));
    const midnight = locate.params.sendTime;
    assert.ok(BASE + index * STEP >= midnight && BASE + (index - 1) * STEP < midnight, `focused ${focused}`);
    assert.ok((await visibleRows(wv)).includes(focused!));
  });

  it('moves a focused row with the arrows, pages, Home/End, Enter for details, Esc to clear', async () => {
    const start = Number((await focusedId(wv))!.slice(4));
    await wv.page.keyboard.press('ArrowDown');
    assert.equal(await focusedId(wv), id(start + 1));
    await wv.page.keyboard.press('ArrowDown');
    await wv.page.keyboard.press('ArrowUp');
    assert.equal(await focusedId(wv), id(start + 1));
    await wv.page.keyboard.press('PageDown');
    const afterPage = Number((await focusedId(wv))!.slice(4));
    assert.ok(afterPage > start + 5, `PageDown moved to ${afterPage}`);
    await wv.page.keyboard.press('PageUp');
    assert.equal(Number((await focusedId(wv))!.slice(4)), start + 1);
    await wv.page.keyboard.press('Enter');
    const raw = await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'message.action' && m.params.action === 'showRaw');
    assert.ok(raw.kind === 'request' && raw.method === 'message.action');
    assert.equal(raw.params.msgid, id(start + 1));
    await wv.page.locator('#stream-status', { hasText: 'host did showRaw' }).waitFor();
    await wv.page.keyboard.press('Home');
    await wv.until(`document.activeElement && document.activeElement.dataset.msgid === '${id(0)}'`);
    await wv.page.keyboard.press('ArrowDown');
    assert.equal(await focusedId(wv), id(1));
    await wv.page.keyboard.press('End');
    await wv.until(`document.activeElement && document.activeElement.dataset.msgid === '${id(TOTAL - 1)}'`);
    await wv.page.keyboard.press('ArrowUp');
    assert.equal(await focusedId(wv), id(TOTAL - 2));
    await wv.page.keyboard.press('Escape');
    assert.equal(await wv.page.locator('#stream-list .msg.focused').count(), 0);
  });

  it('walks past the window edge with the arrow keys (pages in more rows)', async () => {
    await wv.page.locator('#jump-first').click();
    await wv.until(`document.querySelector('#stream-list .msg[data-msgid="${id(0)}"]')`);
    await wv.page.locator('#stream-list').focus();
    await wv.page.keyboard.press('Home');
    await wv.until(`document.activeElement && document.activeElement.dataset.msgid === '${id(0)}'`);
    for (let i = 0; i < 12; i++) await wv.page.keyboard.press('PageDown');
    await wv.until(`document.activeElement && document.activeElement.dataset.msgid > 'msg-0000150'`);
    const f = Number((await focusedId(wv))!.slice(4));
    assert.ok(f > 150, `focused ${f}`);
  });

  it('row actions post message.action and show the host reply as a status', async () => {
    await wv.page.locator('#jump-last').click();
    await wv.until(`document.querySelector('#stream-list .msg[data-msgid="${id(TOTAL - 1)}"]')`);
    const row = wv.page.locator(`#stream-list .msg[data-msgid="${id(TOTAL - 1)}"]`);
    await row.hover();
    for (const action of ['copyId', 'showRaw', 'decryptKey', 'openViewer'] as const) {
      await row.locator(`button[data-action="${action}"]`).click();
      const req = await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'message.action' && m.params.action === action && m.params.msgid === id(TOTAL - 1));
      assert.ok(req);
      await wv.page.locator('#stream-status', { hasText: `host did ${action}` }).waitFor();
    }
    assert.equal(await row.locator('button[data-action="copyId"]').getAttribute('aria-label'), 'Copy msgid');
  });

  it('follows new messages when at the bottom', async () => {
    await wv.page.evaluate(() => (window as unknown as { __fakeGrow(n: number): void }).__fakeGrow(3));
    await wv.send({ kind: 'event', name: 'stream.appended', total: TOTAL + 3, lastTime: BASE + (TOTAL + 2) * STEP });
    await wv.until(`document.querySelector('#stream-list .msg[data-msgid="${id(TOTAL + 2)}"]')`);
    assert.equal((await visibleRows(wv)).at(-1), id(TOTAL + 2));
    assert.equal(await wv.page.locator('#new-pill').isVisible(), false);
  });

  it('shows "N new messages" when scrolled up, and the pill jumps to them', async () => {
    await wv.page.evaluate(() => {
      document.getElementById('stream-list')!.scrollTop -= 3000;
    });
    await wv.page.evaluate(() => (window as unknown as { __fakeGrow(n: number): void }).__fakeGrow(5));
    await wv.send({ kind: 'event', name: 'stream.appended', total: TOTAL + 8, lastTime: BASE + (TOTAL + 7) * STEP });
    await wv.page.locator('#new-pill', { hasText: '5 new messages' }).waitFor();
    await wv.page.locator('#new-pill').click();
    await wv.until(`document.querySelector('#stream-list .msg[data-msgid="${id(TOTAL + 7)}"]')`);
    assert.equal((await visibleRows(wv)).at(-1), id(TOTAL + 7));
    assert.equal(await wv.page.locator('#new-pill').isVisible(), false);
  });

  it('reveals and highlights a message on stream.reveal', async () => {
    await wv.send({ kind: 'event', name: 'stream.reveal', msgid: id(12_345) });
    await wv.until(`document.querySelector('#stream-list .msg.highlight[data-msgid="${id(12_345)}"]')`);
    assert.ok((await visibleRows(wv)).includes(id(12_345)));
    const around = (await wv.requests('stream.around')).at(-1);
    assert.ok(around?.kind === 'request' && around.method === 'stream.around' && around.params.msgid === id(12_345));
  });

  it('shows a gap band at its place in time', async () => {
    await wv.send({ kind: 'event', name: 'stream.reveal', msgid: id(40_000) });
    await wv.until(`document.querySelector('#stream-list .gap-band')`);
    const order = await domRows(wv);
    const band = await wv.page.evaluate(() => {
      const g = document.querySelector('#stream-list .gap-band')!;
      const y = g.getBoundingClientRect().top;
      const rows = [...document.querySelectorAll<HTMLElement>('#stream-list .msg')];
      const above = rows.filter((r) => r.getBoundingClientRect().top < y).map((r) => r.dataset.msgid!).sort();
      return { text: g.textContent, lastAbove: above.at(-1) };
    });
    assert.ok(order.length > 0);
    assert.match(band.text ?? '', /5-day window was missed/);
    assert.equal(band.lastAbove, id(40_000));
  });

  it('filters by msgtype and sender through stream.setFilter, Esc clears the filters', async () => {
    await wv.page.locator('#types-button').click();
    await wv.page.locator('#types-panel vscode-checkbox[data-value="8"]').click();
    const req = await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'stream.setFilter');
    assert.ok(req.kind === 'request' && req.method === 'stream.setFilter');
    assert.deepEqual(req.params.filter.msgtypes, [8]);
    await wv.until(`(() => { const r = [...document.querySelectorAll('#stream-list .msg')]; return r.length > 0 && r.every((e) => e.dataset.msgtype === '8'); })()`);
    assert.match((await wv.page.locator('.stream-total').textContent()) ?? '', /messages/);
    await wv.page.locator('#types-button').click();
    // Sender filter
    await wv.page.evaluate(() => {
      const d = document.getElementById('sender-filter') as HTMLElement & { value: string };
      d.value = 'wmBob';
      d.dispatchEvent(new Event('change'));
    });
    await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'stream.setFilter' && m.params.filter.sender === 'wmBob');
    await wv.until(`(() => { const r = [...document.querySelectorAll('#stream-list .msg')]; return r.length > 0 && r.every((e) => e.dataset.msgtype === '8' && e.querySelector('.party').title === 'wmBob'); })()`);
    await wv.page.locator('#stream-list').focus();
    await wv.page.keyboard.press('Escape');
    await wv.page.keyboard.press('Escape');
    await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'stream.setFilter' && m.params.filter.msgtypes === undefined && m.params.filter.sender === undefined);
    await wv.until(`document.querySelector('#stream-list .msg[data-msgid="${id(TOTAL + 7)}"]')`);
  });

  it('ran with no CSP violation and no page error', async () => assertClean(wv));
});

describe('stream webview: opened on a search hit', () => {
  it('loads around init.data.focusMsgid and highlights it', async () => {
    const wv = await openHosted('stream', { init: streamInit({ total: 5000, focusMsgid: id(2500) }), total: 5000, baseTime: BASE, step: STEP });
    try {
      await wv.until(`document.querySelector('#stream-list .msg.highlight[data-msgid="${id(2500)}"]')`);
      assert.ok((await visibleRows(wv)).includes(id(2500)));
      assert.equal(await focusedId(wv), id(2500));
      assert.equal((await wv.requests('stream.page')).length, 0, 'no page of the newest rows first');
      await assertClean(wv);
    } finally {
      await wv.close();
    }
  });

  it('has no "Open in viewer" when the profile has no viewer, and the dismissed note stays dismissed', async () => {
    const wv = await openHosted('stream', { init: streamInit({ total: 50, hasViewer: false }), total: 50, baseTime: BASE, step: STEP }, { state: { noteDismissed: true } });
    try {
      await wv.until(`document.querySelector('#stream-list .msg')`);
      assert.equal(await wv.page.locator('button[data-action="openViewer"]').count(), 0);
      assert.ok((await wv.page.locator('button[data-action="copyId"]').count()) > 0);
      assert.equal(await wv.page.locator('#content-note').count(), 0);
      await assertClean(wv);
    } finally {
      await wv.close();
    }
  });
});
