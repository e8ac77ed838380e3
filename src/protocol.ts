// The one host⇄webview protocol. Types only: imported by the host (src/) and the webviews (webview/).
// The webview says `ready` first; the host answers with `init`. Requests are correlated by id;
// events are fire-and-forget. Every message from a webview is validated by the host (see
// src/panels/validateMessage.ts) before it is acted on.

/** Strings the webview shows, localized by the host (the webview has no l10n of its own). */
export type UiStrings = Record<string, string>;

export interface SearchFormState {
  queryWord: string;
  chatType: 0 | 1 | 2; // 0 = any chat
  partyA: string;
  partyB: string;
  chatId: string;
  start: string; // datetime-local value, '' = not given
  end: string;
  limit: string;
}

export interface SearchInit {
  profileName: string;
  form: SearchFormState;
}

/** Requests a webview may make, with their params and results. */
export interface RequestMap {
  'search.run': { params: { form: SearchFormState }; result: { accepted: boolean; message: string } };
}
export type RequestMethod = keyof RequestMap;

export type WebviewToHost =
  | { kind: 'ready' }
  | { [M in RequestMethod]: { kind: 'request'; id: number; method: M; params: RequestMap[M]['params'] } }[RequestMethod];

export type HostToWebview =
  | { kind: 'init'; view: 'search'; strings: UiStrings; lang: string; data: SearchInit }
  | { kind: 'response'; id: number; ok: true; result: RequestMap[RequestMethod]['result'] }
  | { kind: 'response'; id: number; ok: false; error: string };
