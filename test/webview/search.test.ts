import * as assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { SearchFormState } from '../../src/shared/protocol';
import { type WebviewPage, openWebview } from '../harness/webviewPage';
import { emptySearchForm } from '../../src/shared/searchRequest';
import { searchInit, streamInit } from './fixtures';
import { type HostedPage, openHosted, typeInto } from './helpers';

const isDisabled = (wv: WebviewPage) => wv.page.evaluate(() => (document.getElementById('search-submit') as HTMLElement & { disabled: boolean }).disabled);
const rulesAt = (wv: WebviewPage, field: string) => wv.page.evaluate((f) => [...document.querySelectorAll<HTMLElement>(`#err-${f} .rule`)].map((e) => e.dataset.rule ?? ''), field);
const allRules = (wv: WebviewPage) => wv.page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.field-error .rule')].map((e) => e.dataset.rule ?? ''));

async function setChatType(wv: WebviewPage, value: '0' | '1' | '2'): Promise<void> {
  await wv.page.locator(`#chat-type vscode-radio[data-value="${value}"]`).click();
}

describe('search webview: the form and search_msg\'s rules', () => {
  let wv: HostedPage;
  before(async () => {
    wv = await openHosted('search', { init: searchInit(), total: 1000, searchTotal: 0 });
    await wv.page.locator('#search-form').waitFor();
  });
  after(async () => wv.close());
  beforeEach(async () => {
    await wv.send({ kind: 'event', name: 'search.setForm', form: emptySearchForm(), formVersion: 2, autoRun: false });
  });

  it('says ready first and renders the host strings as text', async () => {
    assert.equal((await wv.posted())[0]?.kind, 'ready');
    assert.equal(await wv.page.locator('#search-form h1').textContent(), 'Search messages');
    assert.equal(await wv.page.locator('#query-word').textContent(), 'Keyword');
  });

  it('registers only toolkit components it uses', async () => {
    const defined = await wv.page.evaluate(() =>
      ['vscode-button', 'vscode-text-field', 'vscode-dropdown', 'vscode-option', 'vscode-radio-group', 'vscode-radio', 'vscode-progress-ring', 'vscode-checkbox', 'vscode-data-grid', 'vscode-panels', 'vscode-text-area', 'vscode-tag', 'vscode-badge', 'vscode-link', 'vscode-divider'].filter((n) => customElements.get(n)),
    );
    assert.deepEqual(defined, ['vscode-button', 'vscode-text-field', 'vscode-dropdown', 'vscode-option', 'vscode-radio-group', 'vscode-radio', 'vscode-progress-ring', 'vscode-checkbox']);
  });

  it('query_word: at least 2 UTF-8 characters (not bytes, not UTF-16 units)', async () => {
    assert.equal(await isDisabled(wv), true, 'empty form: Search disabled');
    assert.deepEqual(await allRules(wv), [], 'no error before the user typed');
    for (const refused of ['欢', 'a', '😀']) {
      await typeInto(wv, '#query-word', refused);
      assert.deepEqual(await rulesAt(wv, 'queryWord'), ['query_word.min_chars'], refused);
      assert.equal(await isDisabled(wv), true);
      assert.equal(await wv.page.locator('#query-word').getAttribute('aria-invalid'), 'true');
      assert.match((await wv.page.locator('#err-queryWord').textContent()) ?? '', /query_word\.min_chars.*at least 2 characters/);
    }
    for (const accepted of ['欢迎', 'ab', '😀😀', '合同']) {
      await typeInto(wv, '#query-word', accepted);
      assert.deepEqual(await rulesAt(wv, 'queryWord'), [], accepted);
      assert.equal(await isDisabled(wv), false, accepted);
      assert.equal(await wv.page.locator('#query-word').getAttribute('aria-invalid'), 'false');
    }
    await typeInto(wv, '#query-word', '');
    assert.deepEqual(await rulesAt(wv, 'queryWord'), ['query_word.required']);
    assert.equal(await isDisabled(wv), true);
    const describedBy = (await wv.page.locator('#query-word').getAttribute('aria-describedby')) ?? '';
    assert.ok(describedBy.split(' ').includes('err-queryWord'));
  });

  it('single chat: no party (all single chats) or exactly two, each an open_userid or external_userid', async () => {
    await typeInto(wv, '#query-word', '合同');
    await setChatType(wv, '1');
    assert.equal(await wv.page.locator('#single-fields').isVisible(), true);
    assert.equal(await wv.page.locator('#group-fields').isVisible(), false);
    // id_list is optional (docs/wecom-api.md §3): without parties the search covers every single chat.
    assert.deepEqual(await rulesAt(wv, 'partyA'), []);
    assert.equal(await isDisabled(wv), false);
    await typeInto(wv, '#party-a', 'woAlice');
    assert.deepEqual(await rulesAt(wv, 'partyA'), ['id_list.length']);
    assert.equal(await isDisabled(wv), true);
    await typeInto(wv, '#party-b', 'wmBob');
    assert.deepEqual(await allRules(wv), []);
    assert.equal(await isDisabled(wv), false);
    await typeInto(wv, '#query-word', '合同');
    await wv.page.locator('#query-word input').press('Enter');
    const req = await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'search.run');
    assert.ok(req.kind === 'request' && req.method === 'search.run');
    assert.deepEqual(req.params, { form: { ...emptySearchForm(), queryWord: '合同', chatType: 1, partyA: 'woAlice', partyB: 'wmBob' }, more: false });
  });

  it('group chat: the chat id is optional', async () => {
    await typeInto(wv, '#query-word', '合同');
    await setChatType(wv, '2');
    assert.equal(await wv.page.locator('#group-fields').isVisible(), true);
    assert.equal(await isDisabled(wv), false);
    await typeInto(wv, '#chat-id', 'wrGroup');
    assert.equal(await isDisabled(wv), false);
  });

  it('time: end needs start, start before end, at most exactly 30 days', async () => {
    await typeInto(wv, '#query-word', '合同');
    await wv.page.locator('#end-time').fill('2024-06-10T00:00');
    assert.deepEqual(await rulesAt(wv, 'start'), ['end_time.requires_start']);
    assert.equal(await isDisabled(wv), true);
    await wv.page.locator('#start-time').fill('2024-06-10T00:00');
    assert.deepEqual(await rulesAt(wv, 'end'), ['time.order']);
    assert.equal(await isDisabled(wv), true);
    await wv.page.locator('#start-time').fill('2024-06-01T00:00');
    await wv.page.locator('#end-time').fill('2024-07-01T00:00:01');
    assert.deepEqual(await rulesAt(wv, 'end'), ['time.span']);
    assert.match((await wv.page.locator('#err-end').textContent()) ?? '', /30 days/);
    assert.equal(await isDisabled(wv), true);
    await wv.page.locator('#end-time').fill('2024-07-01T00:00');
    assert.deepEqual(await allRules(wv), [], 'exactly 30 days is accepted');
    assert.equal(await isDisabled(wv), false);
    await wv.page.locator('#start-time').fill('');
    await wv.page.locator('#end-time').fill('');
    assert.equal(await isDisabled(wv), false, 'neither given: the last 30 days');
  });

  it('limit: 1 to 100', async () => {
    await typeInto(wv, '#query-word', '合同');
    for (const refused of ['0', '101', 'abc', '1.5', '-1']) {
      await typeInto(wv, '#limit', refused);
      assert.deepEqual(await rulesAt(wv, 'limit'), ['limit.range'], refused);
      assert.equal(await isDisabled(wv), true, refused);
    }
    for (const accepted of ['1', '100', '50', '']) {
      await typeInto(wv, '#limit', accepted);
      assert.deepEqual(await rulesAt(wv, 'limit'), [], accepted);
      assert.equal(await isDisabled(wv), false, accepted);
    }
  });

  it('sends local date-times as they are; the host and the form share formToRequest', async () => {
    await typeInto(wv, '#query-word', '欢迎');
    await wv.page.locator('#start-time').fill('2024-06-01T08:30');
    await wv.page.locator('#end-time').fill('2024-06-02T08:30');
    await wv.page.locator('#search-submit').click();
    const req = (await wv.requests('search.run')).at(-1);
    assert.ok(req?.kind === 'request' && req.method === 'search.run');
    assert.equal(req.params.form.start, '2024-06-01T08:30');
    assert.equal(req.params.form.end, '2024-06-02T08:30');
  });

  it('Escape clears the query word', async () => {
    await typeInto(wv, '#query-word', 'hello');
    await wv.page.locator('#query-word input').press('Escape');
    assert.equal(await wv.page.evaluate(() => (document.getElementById('query-word') as HTMLElement & { value: string }).value), '');
    assert.equal(await isDisabled(wv), true);
  });

  it('runs under the strict CSP with no violation and no page error', async () => {
    assert.deepEqual(await wv.cspViolations(), []);
    assert.deepEqual(wv.pageErrors, []);
  });
});

describe('search webview: results', () => {
  let wv: HostedPage;
  const recent: SearchFormState = { ...emptySearchForm(), queryWord: '发票', limit: '20' };
  before(async () => {
    wv = await openHosted('search', { init: searchInit({ recent: [recent] }), total: 100_000, searchTotal: 230, missingEvery: 10 });
    await wv.page.locator('#search-form').waitFor();
  });
  after(async () => wv.close());

  it('shows hits newest first, each like a stream row; a hit without a row is shown, not dropped', async () => {
    await typeInto(wv, '#query-word', '合同');
    await typeInto(wv, '#limit', '100');
    await wv.page.locator('#query-word input').press('Enter');
    await wv.page.locator('#results .msg').nth(99).waitFor();
    assert.equal(await wv.page.locator('#results .msg').count(), 100);
    const times = await wv.page.evaluate(() => [...document.querySelectorAll('#results .msg:not(.hit-missing) time')].map((t) => Date.parse(t.getAttribute('datetime') ?? '')));
    assert.deepEqual([...times].sort((a, b) => b - a), times, 'newest first');
    assert.equal(await wv.page.locator('#results .hit-missing').count(), 10);
    assert.match((await wv.page.locator('#results .hit-missing').first().textContent()) ?? '', /gone-9.*Not in the local archive/);
    assert.match((await wv.page.locator('#results-header').textContent()) ?? '', /100 results/);
  });

  it('"Load more" appends the next page (more: true) until there is no more', async () => {
    await wv.page.locator('#load-more').click();
    await wv.page.locator('#results .msg').nth(199).waitFor();
    const more = (await wv.requests('search.run')).at(-1);
    assert.ok(more?.kind === 'request' && more.method === 'search.run' && more.params.more === true);
    await wv.page.locator('#load-more').click();
    await wv.page.locator('#results .msg').nth(229).waitFor();
    assert.equal(await wv.page.locator('#results .msg').count(), 230);
    assert.equal(await wv.page.locator('#load-more').isVisible(), false);
  });

  it('arrows move through the results; Enter and click open a hit', async () => {
    await wv.page.locator('#results .msg').first().focus();
    await wv.page.keyboard.press('ArrowDown');
    await wv.page.keyboard.press('ArrowDown');
    await wv.page.keyboard.press('ArrowUp');
    const active = await wv.page.evaluate(() => (document.activeElement as HTMLElement).dataset.msgid);
    assert.equal(await wv.page.locator('#results [aria-selected="true"]').getAttribute('data-msgid'), active);
    assert.equal(await wv.page.locator('#results [aria-selected="true"]').count(), 1);
    await wv.page.keyboard.press('Enter');
    const open = await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'search.openHit');
    assert.ok(open.kind === 'request' && open.method === 'search.openHit' && open.params.msgid === active);
    await wv.page.locator('#search-status', { hasText: `opened ${active}` }).waitFor();
    await wv.page.keyboard.press('End');
    assert.equal(await wv.page.evaluate(() => (document.activeElement as HTMLElement).dataset.index), '229');
    await wv.page.locator('#results .msg').nth(3).click();
    await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'search.openHit' && m.params.msgid !== active);
  });

  it('exports JSON and CSV through the host', async () => {
    await wv.page.locator('#export-json').click();
    await wv.page.locator('#search-status', { hasText: 'exported json' }).waitFor();
    await wv.page.locator('#export-csv').click();
    await wv.page.locator('#search-status', { hasText: 'exported csv' }).waitFor();
    const formats = (await wv.requests('search.export')).map((m) => m.method === 'search.export' && m.params.format);
    assert.deepEqual(formats, ['json', 'csv']);
  });

  it('re-runs a recent search', async () => {
    await wv.page.locator('#recent button').first().click();
    const req = await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'search.run' && m.params.form.queryWord === '发票');
    assert.ok(req.kind === 'request' && req.method === 'search.run');
    assert.deepEqual(req.params.form, recent);
    assert.equal(await wv.page.evaluate(() => (document.getElementById('query-word') as HTMLElement & { value: string }).value), '发票');
  });

  it('search.setForm fills the form and runs it when autoRun', async () => {
    const form = { ...emptySearchForm(), queryWord: '报价', chatType: 2 as const, chatId: 'wrGroup' };
    await wv.send({ kind: 'event', name: 'search.setForm', form, formVersion: 2, autoRun: true });
    const req = await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'search.run' && m.params.form.queryWord === '报价');
    assert.ok(req.kind === 'request' && req.method === 'search.run');
    assert.deepEqual(req.params.form, form);
    assert.equal(await wv.page.locator('#group-fields').isVisible(), true);
  });

  it('no CSP violation, no page error', async () => {
    assert.deepEqual(await wv.cspViolations(), []);
    assert.deepEqual(wv.pageErrors, []);
  });
});

describe('search webview: a host error is shown as text', () => {
  it('shows the error of a failed search.run without parsing it', async () => {
    const wv = await openWebview({ bundle: 'search' });
    try {
      await wv.waitForPosted((m) => m.kind === 'ready');
      await wv.send(searchInit({ form: { ...emptySearchForm(), queryWord: '合同' } }));
      await wv.page.locator('#search-form').waitFor();
      await wv.page.locator('#search-submit').click();
      const req = await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'search.run');
      assert.ok(req.kind === 'request');
      await wv.send({ kind: 'response', id: req.id, ok: false, code: 'failed', error: 'host says no <b>profile</b>' });
      await wv.page.locator('#search-status', { hasText: 'host says no <b>profile</b>' }).waitFor();
      assert.equal(await wv.page.locator('#search-status b').count(), 0, 'host text must not be parsed as HTML');
      assert.deepEqual(await wv.cspViolations(), []);
      assert.deepEqual(wv.pageErrors, []);
    } finally {
      await wv.close();
    }
  });
});

describe('the CSP check itself', () => {
  it('catches an inline script (negative control)', async () => {
    const wv = await openWebview({ bundle: 'search', tamper: (html) => html.replace('</body>', '<script>window.__inlineRan = true</script></body>') });
    try {
      await wv.waitForPosted((m) => m.kind === 'ready');
      const ran = await wv.page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan);
      assert.equal(ran, undefined, 'the inline script ran: the CSP is not strict');
      const violations = await wv.cspViolations();
      assert.ok(violations.some((v) => v.startsWith('script-src')), `expected a script-src violation, got ${JSON.stringify(violations)}`);
    } finally {
      await wv.close();
    }
  });

  it("allows the toolkit's empty <style> probe but refuses any other inline style", async () => {
    const wv = await openHosted('stream', { init: streamInit({ total: 10 }), total: 10 });
    try {
      await wv.until(`document.querySelector('#stream-list .msg')`);
      assert.deepEqual(await wv.cspViolations(), []);
      const applied = await wv.page.evaluate(async () => {
        const s = document.createElement('style');
        s.textContent = 'body { outline: 7px solid red }';
        document.head.append(s);
        await new Promise((r) => setTimeout(r, 50));
        return getComputedStyle(document.body).outlineWidth;
      });
      assert.notEqual(applied, '7px', 'a non-empty inline style was applied: the CSP is too wide');
      assert.ok((await wv.cspViolations()).some((v) => v.startsWith('style-src')));
    } finally {
      await wv.close();
    }
  });
});
