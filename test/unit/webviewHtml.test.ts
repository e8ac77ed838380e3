import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TOOLKIT_STYLE_HASH, buildWebviewHtml, contentSecurityPolicy, makeNonce } from '../../src/host/panels/webviewHtml';
import { createHash } from 'node:crypto';

describe('webview HTML and CSP', () => {
  it('denies everything by default and allows scripts only by nonce', () => {
    const csp = contentSecurityPolicy('https://cdn.example', 'abc123');
    const directives = new Map(csp.split(';').map((d) => { const [k, ...v] = d.trim().split(/\s+/); return [k, v] as const; }));
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('base-uri'), ["'none'"]);
    assert.deepEqual(directives.get('form-action'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), ["'nonce-abc123'"]);
    assert.deepEqual(directives.get('style-src'), ['https://cdn.example', TOOLKIT_STYLE_HASH]);
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
  });

  it('allows exactly one inline style: the empty one the toolkit probes with', () => {
    const emptyHash = `'sha256-${createHash('sha256').update('').digest('base64')}'`;
    assert.equal(TOOLKIT_STYLE_HASH, emptyHash);
  });

  it('puts the nonce on the one script tag and escapes attributes', () => {
    const html = buildWebviewHtml({ cspSource: 'vscode-resource:', nonce: 'n"o', scriptUri: 'x.js?a=1&b=2', styleUris: ['s.css'], title: '<t>', lang: 'zh-cn' });
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.ok(html.includes('<script nonce="n&quot;o" src="x.js?a=1&amp;b=2">'));
    assert.ok(html.includes('<title>&lt;t&gt;</title>'));
  });

  it('makes a fresh, unguessable nonce each time', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.notEqual(a, b);
    assert.ok(a.length >= 24);
  });
});
