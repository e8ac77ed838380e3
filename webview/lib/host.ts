// The webview's side of the protocol: one acquireVsCodeApi() call, typed requests with ids, and
// a listener for the host's messages. Only small UI state goes into setState (never data, never secrets).
import type { HostEvent, HostToWebview, RequestMap, RequestMethod, WebviewToHost } from '../../src/protocol';

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

export function request<M extends RequestMethod>(method: M, params: RequestMap[M]['params']): Promise<RequestMap[M]['result']> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
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
