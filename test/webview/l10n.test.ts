// The webviews' one i18n path: the l10n bundle that comes with `init` words everything (rows,
// toolbar, form), with arguments filled in; an `init` without one (English) words it in English again.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { l10nBundle, searchInit, streamInit } from './fixtures';
import { openHosted } from './helpers';

const zh = l10nBundle('zh')!;

describe('webview l10n: the bundle from init', () => {
  it('stream: the toolbar, the count and the rows are worded from the zh-cn bundle', async () => {
    const wv = await openHosted('stream', { init: streamInit({ total: 40 }, 'zh'), total: 40 });
    try {
      await wv.until(`document.querySelectorAll('#stream-list .msg').length > 0`);
      assert.equal((await wv.page.locator('#jump-first').textContent())?.trim(), zh.First);
      assert.equal((await wv.page.locator('#jump-last').textContent())?.trim(), zh.Latest);
      assert.equal(await wv.page.locator('.stream-total').textContent(), zh['{0} messages']!.replace('{0}', '40'));
      const badges = await wv.page.locator('#stream-list .party-badge').allTextContents();
      assert.ok(badges.includes(zh.Employee!), badges.join(','));
      assert.equal(await wv.page.locator('#stream-list .msg-actions button[data-action="copyId"]').first().getAttribute('aria-label'), zh['Copy msgid']);
      assert.deepEqual(wv.pageErrors, []);
    } finally {
      await wv.close();
    }
  });

  it('search: Chinese from the bundle, then English again when an init comes without one', async () => {
    const wv = await openHosted('search', { init: searchInit({}, 'zh'), total: 100, searchTotal: 0 });
    try {
      await wv.page.locator('#search-form').waitFor();
      assert.equal(await wv.page.locator('#search-form h1').textContent(), zh['Search messages']);
      assert.equal(await wv.page.locator('#query-word').textContent(), zh.Keyword);
      assert.equal(await wv.page.evaluate(() => document.documentElement.lang), 'zh-CN');
      await wv.send(searchInit({}, 'en'));
      await wv.until(`document.querySelector('#search-form h1')?.textContent === 'Search messages'`);
      assert.equal(await wv.page.locator('#query-word').textContent(), 'Keyword');
      assert.equal(await wv.page.evaluate(() => document.documentElement.lang), 'en');
      assert.deepEqual(wv.pageErrors, []);
    } finally {
      await wv.close();
    }
  });
});
