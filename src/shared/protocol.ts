// The one host⇄webview protocol. Types only: imported by the host (src/) and the webviews (webview/).
// The webview says `ready` first; the host answers with a full `init` snapshot (also after the
// panel was hidden or restored). Requests are correlated by id; events are fire-and-forget.
// Every message from a webview is validated by the host (src/host/panels/validateMessage.ts).
// Secrets never cross: no token, key or decrypted secret key is ever sent to a webview.
import type { ChatKind, IdPartyType } from './wire';

/**
 * The host's l10n bundle (`vscode.l10n.bundle`: English source string → translation), which the
 * webview hands to `@vscode/l10n`. Absent in English, where the source strings are the text.
 */
export type L10nBundle = Record<string, string>;
export type Lang = 'zh' | 'en';

/** What a message row offers; the host does each (validateMessage.ts refuses anything else). */
export type MessageAction = 'copyId' | 'showRaw' | 'decryptKey' | 'openViewer';

// ---------------------------------------------------------------- shared row model

/** A party as the API gives it: type 1 employee, 2 external contact, 3 robot. */
export interface PartyView {
  type: number;
  id: string;
  /** Display name where one is known (demo directory); otherwise absent. */
  name?: string;
}

/** One message's metadata, as the stream and the search results render it. */
export interface MessageRow {
  msgid: string;
  /** Unix seconds. */
  sendTime: number;
  msgtype: number;
  sender: PartyView;
  /** At most 20 receivers; receiverCount says how many there are. */
  receivers: PartyView[];
  receiverCount: number;
  chatid?: string;
  /** The chat this message belongs to (tree/stream key). */
  chatKey: string;
  publicKeyVer?: number;
  /** Seconds, for msgtypes 21/22 when the API gave it. */
  callDuration?: number;
}

/** A period WeCom no longer returns and the archive never got (the 5-day window was missed). */
export interface GapBand {
  from: number;
  to: number;
  reason: string;
}

/** Keyset position in a stream: (send_time, msgid), never an offset. */
export interface StreamAnchor {
  sendTime: number;
  msgid: string;
}

export interface StreamFilter {
  /** Empty/absent = all msgtypes. */
  msgtypes?: number[];
  /** A sender id; absent = everyone. */
  sender?: string;
}

// ---------------------------------------------------------------- stream panel

export interface StreamInit {
  /** With chatKey, what the webview keeps in setState so VS Code can restore the panel after a reload. */
  profileId: string;
  profileName: string;
  chatKey: string;
  title: string;
  kind: ChatKind;
  parties: PartyView[];
  /** Messages the filter shows (the whole chat without one); `totalAtLeast`: counting stopped there. */
  total: number;
  totalAtLeast?: boolean;
  /** Messages in the chat, whatever the filter (stream.appended events count these). */
  chatTotal: number;
  firstTime: number;
  lastTime: number;
  gaps: GapBand[];
  /** The profile has a viewer URL template: show "Open in viewer". */
  hasViewer: boolean;
  /** Scroll to this message and highlight it (opened from a search hit). */
  focusMsgid?: string;
  /** Restored UI state the host kept (filters); never data. */
  filter: StreamFilter;
}

// ---------------------------------------------------------------- search panel

export interface SearchFormState {
  queryWord: string;
  chatType: 0 | 1 | 2; // 0 = any chat
  partyA: string;
  partyAType: IdPartyType; // open_userid (employee) or external_userid
  partyB: string;
  partyBType: IdPartyType;
  chatId: string;
  start: string; // datetime-local value 'YYYY-MM-DDTHH:mm', '' = not given
  end: string;
  limit: string;
}

/** The results the search panel shows: kept by the host, so hiding or reloading the panel keeps them. */
export interface SearchResults {
  /** The form of the search these hits belong to ("Load more" continues it). */
  form: SearchFormState;
  hits: SearchHit[];
  hasMore: boolean;
}

export interface SearchInit {
  profileName: string;
  form: SearchFormState;
  /** Bumped each time the host sets the form ("Search in this chat"): newer than what the webview kept. */
  formVersion: number;
  /** The current search's results, when there is one. */
  results?: SearchResults;
  /** Last 20 searches of this profile, newest first. */
  recent: SearchFormState[];
  /** Run the form at once (e.g. "Search in this chat" with a word already chosen). */
  autoRun: boolean;
}

/** A hit: the msgid from search_msg, and the row if the local archive has it. */
export interface SearchHit {
  msgid: string;
  row?: MessageRow;
}

export interface SearchPage {
  hits: SearchHit[];
  hasMore: boolean;
  /** Total hits loaded so far in this search. */
  loaded: number;
}

// ---------------------------------------------------------------- requests

/** Requests a webview may make, with their params and results. */
export interface RequestMap {
  /** Messages older or newer than an anchor (none = the newest / the oldest), ascending in the result. */
  'stream.page': { params: { direction: 'older' | 'newer'; from?: StreamAnchor; limit: number; filter: StreamFilter }; result: { rows: MessageRow[] } };
  /** The first message at or after a time (jump to date). */
  'stream.locate': { params: { sendTime: number; filter: StreamFilter }; result: { anchor?: StreamAnchor } };
  /** Rows around one message (a search hit): `before` older rows, the message, `after` newer rows. */
  'stream.around': { params: { msgid: string; before: number; after: number; filter: StreamFilter }; result: { rows: MessageRow[] } };
  'stream.senders': { params: Record<string, never>; result: { senders: (PartyView & { count: number })[] } };
  'stream.setFilter': { params: { filter: StreamFilter }; result: { total: number; atLeast?: boolean } };
  /** Host-side actions on one message; the host does the work (clipboard, dialogs, browser). */
  'message.action': { params: { msgid: string; action: MessageAction }; result: { done: boolean; message?: string } };
  /** Runs a new search (cursor absent) or loads the next page of the current one. */
  'search.run': { params: { form: SearchFormState; more: boolean }; result: SearchPage };
  'search.openHit': { params: { msgid: string }; result: { opened: boolean; message?: string } };
  'search.export': { params: { format: 'json' | 'csv' }; result: { done: boolean; message?: string } };
}
export type RequestMethod = keyof RequestMap;

export type WebviewToHost =
  | { kind: 'ready' }
  | { [M in RequestMethod]: { kind: 'request'; id: number; method: M; params: RequestMap[M]['params'] } }[RequestMethod];

/** Host → webview events. */
export type HostEvent =
  /** New messages were stored for this chat (auto-follow if the user is at the bottom). */
  | { kind: 'event'; name: 'stream.appended'; total: number; lastTime: number }
  /** Scroll to a message and highlight it (a search hit opened in an already open stream). */
  | { kind: 'event'; name: 'stream.reveal'; msgid: string }
  /** The form to show (e.g. "Search in this chat" into an open search panel). */
  | { kind: 'event'; name: 'search.setForm'; form: SearchFormState; formVersion: number; autoRun: boolean }
  /** The recent searches changed (a search was run). */
  | { kind: 'event'; name: 'search.recent'; recent: SearchFormState[] };

/** `l10n`: the bundle for every string the webview shows (its own and what shared code words); `lang`: the document's language. */
export type InitMessage =
  | { kind: 'init'; view: 'stream'; l10n?: L10nBundle; lang: Lang; data: StreamInit }
  | { kind: 'init'; view: 'search'; l10n?: L10nBundle; lang: Lang; data: SearchInit };

export type HostToWebview =
  | InitMessage
  | HostEvent
  | { kind: 'response'; id: number; ok: true; result: RequestMap[RequestMethod]['result'] }
  /** `refused`: the request broke a rule of the protocol (named in `error`); `failed`: the work failed. */
  | { kind: 'response'; id: number; ok: false; error: string; code: 'refused' | 'failed' };
