import type { WebviewToHost } from '../../src/shared/protocol';
import { type OpenOptions, type WebviewPage, openWebview } from '../harness/webviewPage';
import { type FakeHostConfig, type FakeHostStats, installFakeHost } from './fakeHost';

export interface HostedPage extends WebviewPage {
  stats(): Promise<FakeHostStats>;
  requests(method?: string): Promise<Extract<WebviewToHost, { kind: 'request' }>[]>;
  /** Waits until `fn` (run in the page) returns a truthy value. */
  until(fn: string, timeoutMs?: number): Promise<void>;
}

/** Opens a bundle with the in-page fake host, which sends `init` after `ready`. */
export async function openHosted(bundle: string, cfg: FakeHostConfig, opts: Omit<OpenOptions, 'bundle' | 'initScript'> = {}): Promise<HostedPage> {
  const wv = await openWebview({ ...opts, bundle, initScript: { fn: installFakeHost as (arg: never) => void, arg: cfg } });
  return {
    ...wv,
    stats: () => wv.page.evaluate(() => (window as unknown as { __fakeStats: FakeHostStats }).__fakeStats),
    requests: async (method) =>
      (await wv.posted()).filter((m): m is Extract<WebviewToHost, { kind: 'request' }> => m.kind === 'request' && (method === undefined || m.method === method)),
    // Polls with page.evaluate (CDP, outside the page's CSP): waitForFunction with a string would
    // use eval inside the page and trip the strict CSP the tests check.
    until: async (fn, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await wv.page.evaluate(fn))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${fn}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** Types into a toolkit text field (its input is in an open shadow root) or a native input. */
export async function typeInto(wv: WebviewPage, selector: string, value: string): Promise<void> {
  const inner = wv.page.locator(`${selector} input`);
  if ((await inner.count()) > 0) await inner.fill(value);
  else await wv.page.locator(selector).fill(value);
}
