// Tier 2: a built webview bundle in real headless Chromium, in the exact HTML (and CSP) the host
// serves, with a fake acquireVsCodeApi that records what the webview posts.
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import type { Page } from 'playwright-core';
import { buildWebviewHtml, makeNonce } from '../../src/host/panels/webviewHtml';
import type { HostToWebview, WebviewToHost } from '../../src/shared/protocol';
import { type Browser, launchBrowser } from './browser';
import { repoRoot } from './paths';

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.map': 'application/json' };

export interface WebviewPage {
  page: Page;
  /** Messages the webview posted to the "host", in order. */
  posted(): Promise<WebviewToHost[]>;
  /** Sends a message as the host would (window 'message' event). */
  send(m: HostToWebview): Promise<void>;
  waitForPosted(pred: (m: WebviewToHost) => boolean, timeoutMs?: number): Promise<WebviewToHost>;
  cspViolations(): Promise<string[]>;
  pageErrors: string[];
  close(): Promise<void>;
}

/** Serves dist/webview and media from 127.0.0.1, which stands in for webview.cspSource. */
async function serveAssets(html: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html());
      return;
    }
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
    if (!(rel.startsWith('dist/webview/') || rel.startsWith('media/'))) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(join(repoRoot, rel));
      res.writeHead(200, { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { server, origin: `http://127.0.0.1:${port}` };
}

export interface OpenOptions {
  bundle: string;
  /** Adds markup after the page is built (the negative control for the CSP test). */
  tamper?: (html: string) => string;
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  state?: unknown;
  /**
   * Runs in the page before the bundle (e.g. an in-page fake host). It may set
   * `window.__onPosted = (m) => …`, which sees every message the webview posts, after it is recorded.
   */
  initScript?: { fn: (arg: never) => void; arg: unknown };
  /** Functions of the test process the page may call (window[name]), bound before it loads. */
  expose?: Record<string, (...args: never[]) => unknown>;
}

export async function openWebview(opts: OpenOptions): Promise<WebviewPage> {
  let origin = '';
  const html = () => {
    const page = buildWebviewHtml({
      cspSource: origin,
      nonce: makeNonce(),
      scriptUri: `${origin}/dist/webview/${opts.bundle}.js`,
      styleUris: [`${origin}/dist/webview/codicon.css`, `${origin}/media/webview.css`],
      title: opts.bundle,
      lang: 'en',
    });
    return opts.tamper ? opts.tamper(page) : page;
  };
  const served = await serveAssets(html);
  origin = served.origin;
  const browser: Browser = await launchBrowser({ colorScheme: opts.colorScheme, viewport: opts.viewport });
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.addInitScript((initialState: unknown) => {
    const w = window as unknown as Record<string, unknown>;
    const posted: unknown[] = [];
    const csp: string[] = [];
    let state = initialState;
    w.__posted = posted;
    w.__csp = csp;
    document.addEventListener('securitypolicyviolation', (e) => csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    w.__getState = () => state;
    w.acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => {
        posted.push(JSON.parse(JSON.stringify(m)));
        const hook = w.__onPosted;
        if (typeof hook === 'function') hook(m);
      },
      getState: () => state,
      setState: (s: unknown) => {
        state = s;
      },
    });
  }, opts.state ?? null);
  for (const [name, fn] of Object.entries(opts.expose ?? {})) await page.exposeFunction(name, fn as (...args: unknown[]) => unknown);
  if (opts.initScript) await page.addInitScript(opts.initScript.fn as (arg: unknown) => void, opts.initScript.arg);
  await page.goto(`${origin}/index.html`);
  const posted = () => page.evaluate(() => (window as unknown as { __posted: WebviewToHost[] }).__posted);
  return {
    page,
    posted,
    pageErrors,
    send: async (m) => {
      await page.evaluate((msg) => window.postMessage(msg, '*'), m);
    },
    waitForPosted: async (pred, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = (await posted()).find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`the webview did not post the expected message; it posted ${JSON.stringify(await posted())}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    cspViolations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp),
    close: async () => {
      await browser.close();
      await new Promise((r) => served.server.close(r));
    },
  };
}
