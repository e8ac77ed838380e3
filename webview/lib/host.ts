// The webview's side of the protocol: one acquireVsCodeApi() call, typed requests with ids, and
// a listener for the host's messages. Only small UI state goes into setState (never data, never secrets).
import type { HostEvent, HostToWebview, RequestMap, RequestMethod, WebviewToHost } from '../../src/shared/protocol';
import { t } from './l10n';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

export type InitMessage = Extract<HostToWebview, { kind: 'init' }>;

export function onHostMessage(onInit: (m: InitMessage) => void, onEvent?: (e: HostEvent) => void): void {
  window.addEventListener('message', (ev: MessageEvent<HostToWebview>) => {
    const m = ev.data;
    if (!m || typeof m !== 'object') return;
    if (m.kind === 'init') onInit(m);
    else if (m.kind === 'event') onEvent?.(m);
    else if (m.kind === 'response') {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    }
  });
}

/**
 * How long a request may go unanswered before the webview says so instead of spinning. The host
 * answers every request, so this only fires when the extension host is stuck or gone. Actions
 * that wait on a dialog of the host (save file, the secret key) get as long as a person needs.
 */
export const REQUEST_TIMEOUT_MS: Record<RequestMethod, number> = {
  'stream.page': 30_000,
  'stream.locate': 30_000,
  'stream.around': 30_000,
  'stream.senders': 30_000,
  'stream.setFilter': 60_000,
  'message.action': 600_000,
  'search.run': 180_000,
  'search.openHit': 30_000,
  'search.export': 600_000,
};

/** A request the host did not answer in time; its message is the user's sentence. */
export class RequestTimeout extends Error {}

export function request<M extends RequestMethod>(method: M, params: RequestMap[M]['params'], timeoutMs = REQUEST_TIMEOUT_MS[method]): Promise<RequestMap[M]['result']> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (!pending.delete(id)) return;
      reject(new RequestTimeout(t('No answer from VS Code after {0} s. Try again.', Math.round(timeoutMs / 1000))));
    }, timeoutMs);
    const settle = <T>(f: (v: T) => void) => (v: T) => {
      clearTimeout(timer);
      f(v);
    };
    pending.set(id, { resolve: settle(resolve as (v: unknown) => void), reject: settle(reject) });
    api.postMessage({ kind: 'request', id, method, params } as WebviewToHost);
  });
}

export function ready(): void {
  api.postMessage({ kind: 'ready' });
}

export function getUiState<T>(): Partial<T> {
  const s = api.getState();
  return s && typeof s === 'object' ? (s as Partial<T>) : {};
}

export function setUiState<T>(state: T): void {
  api.setState(state);
}
