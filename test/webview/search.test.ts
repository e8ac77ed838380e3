import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emptySearchFormForTests, searchInit } from './fixtures';
import { type WebviewPage, openWebview } from '../harness/webviewPage';

describe('search webview in Chromium', () => {
  let wv: WebviewPage;
  before(async () => {
    wv = await openWebview({ bundle: 'search' });
    await wv.waitForPosted((m) => m.kind === 'ready');
    await wv.send(searchInit());
    await wv.page.locator('#search-form').waitFor();
  });
  after(async () => wv.close());

  it('says ready first, before anything else', async () => {
    const posted = await wv.posted();
    assert.equal(posted[0]?.kind, 'ready');
  });

  it('renders the strings the host sent, as text', async () => {
    assert.equal(await wv.page.locator('#search-form h1').textContent(), 'Search messages');
    assert.equal(await wv.page.locator('label[for="query-word"]').textContent(), 'Keyword');
  });

  it('keeps Search disabled until the keyword has 2 UTF-8 characters', async () => {
    const input = wv.page.locator('#query-word');
    const submit = wv.page.locator('#search-submit');
    await input.fill('');
    assert.equal(await submit.isDisabled(), true);
    await input.fill('欢'); // one character, three bytes: still refused
    assert.equal(await submit.isDisabled(), true);
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    await input.fill('欢迎');
    assert.equal(await submit.isDisabled(), false);
    assert.equal(await input.getAttribute('aria-invalid'), 'false');
  });

  it('sends a typed search.run request and shows the host reply', async () => {
    await wv.page.locator('#query-word').fill('合同');
    await wv.page.locator('#query-word').press('Enter');
    const req = await wv.waitForPosted((m) => m.kind === 'request' && m.method === 'search.run');
    assert.ok(req.kind === 'request');
    assert.deepEqual(req.params, { form: { ...emptySearchFormForTests(), queryWord: '合同' } });
    await wv.send({ kind: 'response', id: req.id, ok: true, result: { accepted: false, message: 'host says no <b>profile</b>' } });
    await wv.page.locator('#search-status', { hasText: 'host says no' }).waitFor();
    assert.equal(await wv.page.locator('#search-status b').count(), 0, 'host text must not be parsed as HTML');
  });

  it('Escape clears the keyword', async () => {
    await wv.page.locator('#query-word').fill('hello');
    await wv.page.locator('#query-word').press('Escape');
    assert.equal(await wv.page.locator('#query-word').inputValue(), '');
  });

  it('runs under the strict CSP with no violation and no page error', async () => {
    assert.deepEqual(await wv.cspViolations(), []);
    assert.deepEqual(wv.pageErrors, []);
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
});
