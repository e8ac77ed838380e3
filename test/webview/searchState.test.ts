// The search panel keeps its results, paging position and form when its webview is destroyed
// (hidden tab) or reloaded: the host hands the results back in `init`, the webview keeps the form
// and its place with setState. Rule messages name the fields as labelled. A request the host
// never answers ends in a visible error, not a spinner.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptySearchForm } from '../../src/shared/searchRequest';
import type { SearchHit } from '../../src/shared/protocol';
import { openWebview } from '../harness/webviewPage';
import { hostileRows } from '../harness/hostileCorpus';
import { searchInit } from './fixtures';
import { typeInto } from './helpers';
import { chatHandlers, openWithNodeHost } from './nodeHost';

const rows = hostileRows();
const hits: SearchHit[] = [...rows].reverse().map((row) => ({ msgid: row.msgid, row }));
const form = { ...emptySearchForm(), queryWord: '合同', limit: '4' };

describe('search webview: results, place and form survive the webview being re-created', () => {
  it('results after Load more and the chosen hit come back; exports stay enabled', async () => {
    const first = await openWithNodeHost('search', searchInit({ form, autoRun: true }), (log) => chatHandlers(rows, hits, log));
    let state: unknown;
    try {
      await first.page.locator('#results .msg').nth(3).waitFor();
      await first.page.locator('#load-more').click();
      await first.page.waitForFunction(() => document.querySelectorAll('#results .msg').length === 8);
      await first.page.locator('#results .msg').nth(6).click();
      await first.settled();
      state = await first.page.evaluate(() => (window as unknown as { __getState: () => unknown }).__getState());
    } finally {
      await first.close();
    }
    // What the host sends the new webview: its own record of the search (8 hits, more to come).
    const again = await openWithNodeHost('search', searchInit({ form, results: { form, hits: hits.slice(0, 8), hasMore: true } }), (log) => chatHandlers(rows, hits, log), { state });
    try {
      await again.page.locator('#results .msg').nth(7).waitFor();
      assert.equal(await again.page.locator('#results .msg').count(), 8);
      assert.equal(await again.page.locator('#results-header').textContent(), '8 results');
      assert.equal(await again.page.locator('#results .msg[aria-selected="true"]').getAttribute('data-msgid'), hits[6]!.msgid);
      assert.equal(await again.page.locator('#load-more').isVisible(), true);
      assert.equal(await again.page.locator('#export-csv').evaluate((b) => b.hasAttribute('disabled')), false);
      // Load more continues the search the host kept (more: true, same form), not a new one.
      await again.page.locator('#load-more').click();
      await again.settled();
      const run = [...again.log.requests.values()].find((r) => r.method === 'search.run');
      assert.deepEqual(run?.params, { form, more: true });
    } finally {
      await again.close();
    }
  });

  it('a form typed but not run is kept; a newer form from the host wins', async () => {
    const first = await openWebview({ bundle: 'search' });
    let state: unknown;
    try {
      await first.waitForPosted((m) => m.kind === 'ready');
      await first.send(searchInit({ form: { ...emptySearchForm(), chatType: 2 } }));
      await first.page.locator('#search-form').waitFor();
      await typeInto(first, '#query-word', '未运行的');
      await typeInto(first, '#chat-id', 'wr\t');
      state = await first.page.evaluate(() => (window as unknown as { __getState: () => unknown }).__getState());
    } finally {
      await first.close();
    }
    const kept = await openWebview({ bundle: 'search', state });
    try {
      await kept.waitForPosted((m) => m.kind === 'ready');
      await kept.send(searchInit({ formVersion: 1 }));
      await kept.page.locator('#search-form').waitFor();
      assert.equal(await kept.page.evaluate(() => (document.getElementById('query-word') as HTMLElement & { value: string }).value), '未运行的');
      assert.equal(await kept.page.evaluate(() => (document.getElementById('chat-id') as HTMLElement & { value: string }).value), 'wr\t', 'with its tab');
    } finally {
      await kept.close();
    }
    const newer = await openWebview({ bundle: 'search', state });
    try {
      await newer.waitForPosted((m) => m.kind === 'ready');
      await newer.send(searchInit({ formVersion: 2, form: { ...emptySearchForm(), queryWord: '来自主机' } }));
      await newer.page.locator('#search-form').waitFor();
      assert.equal(await newer.page.evaluate(() => (document.getElementById('query-word') as HTMLElement & { value: string }).value), '来自主机');
    } finally {
      await newer.close();
    }
  });
});

describe('search webview: rule messages name the fields as labelled', () => {
  it('"end_time requires start_time" is shown with the From and To labels', async () => {
    const wv = await openWebview({ bundle: 'search' });
    try {
      await wv.waitForPosted((m) => m.kind === 'ready');
      await wv.send(searchInit({ form: { ...emptySearchForm(), queryWord: '合同', end: '2026-11-01T00:00' } }));
      await wv.page.locator('#err-start .rule').waitFor();
      const text = (await wv.page.locator('#err-start .rule').textContent()) ?? '';
      assert.ok(text.includes('From (start_time)') && text.includes('To (end_time)'), text);
    } finally {
      await wv.close();
    }
  });
});

describe('search webview: a request the host never answers', () => {
  it('ends with a visible error after its timeout, and the panel stays usable', async () => {
    const wv = await openWebview({ bundle: 'search' });
    try {
      await wv.waitForPosted((m) => m.kind === 'ready');
      await wv.send(searchInit({ form, results: { form, hits: hits.slice(0, 2), hasMore: false } }));
      await wv.page.locator('#results .msg').first().click();
      await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'search.openHit');
      // The host stays silent: after 30 s the webview says so.
      await wv.page.locator('#search-status', { hasText: 'No answer from VS Code after 30 s' }).waitFor({ timeout: 40_000 });
      assert.equal(await wv.page.locator('#search-submit').evaluate((b) => b.hasAttribute('disabled')), false);
    } finally {
      await wv.close();
    }
  });
});
