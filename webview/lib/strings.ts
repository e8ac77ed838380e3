// The webview's strings come from the host (init.strings). The English text below is only the
// fallback while a key is missing from the host's table, and the one list of keys this code uses.
import type { Lang, UiStrings } from '../../src/shared/protocol';
import { setInvalidTimeText } from './format';
import type { Translate } from '../../src/shared/l10n';

export const EN_STRINGS = {
  // --- message rows (stream and search results); the first block matches the host's rowStrings()
  partyEmployee: 'Employee',
  partyExternal: 'External contact',
  partyRobot: 'Robot',
  to: 'to',
  more: '+{0} more',
  searchable: 'Searchable',
  callDuration: 'Duration',
  copyId: 'Copy msgid',
  showRaw: 'Raw JSON',
  decryptKey: 'Decrypt secret key',
  openViewer: 'Open in viewer',
  keyVersion: 'Key v{0}',
  // new row keys
  partyOther: 'Party type {0}',
  noReceivers: 'No receivers',
  receiversLabel: 'Receivers: {0}',
  searchableHint: 'search_msg can find this message type',
  rowLabel: '{0} from {1}, {2}',
  rowActions: 'Message actions',
  actionFailed: 'The action failed: {0}',
  invalidTime: 'invalid time {0}',
  timeout: 'No answer from VS Code after {0} s. Try again.',
  // --- stream panel; these match the host's streamPanel strings
  contentNote: 'WeCom gives providers message metadata only: the content is shown by WeCom\'s display component in your viewer page ("Open in viewer").',
  jumpFirst: 'First',
  jumpLast: 'Latest',
  jumpDate: 'Jump to date',
  filterTypes: 'Message types',
  filterSender: 'Sender',
  allSenders: 'All senders',
  allTypes: 'All types',
  clearFilters: 'Clear filters',
  newMessages: '{0} new messages',
  gap: 'Gap: messages from {0} to {1} were never synced (WeCom keeps 5 days).',
  loading: 'Loading…',
  empty: 'No messages match.',
  listLabel: 'Messages',
  // new stream keys
  toolbar: 'Message stream tools',
  total: '{0} messages',
  go: 'Go',
  typesSelected: '{0} types',
  dismiss: 'Dismiss',
  notFound: 'That message is not in the local archive.',
  loadError: 'Could not load messages: {0}',
  totalOne: '1 message',
  totalAtLeast: '{0}+ messages',
  newMessagesOne: '1 new message',
  // --- search panel; these match the host's searchPanel strings
  title: 'Search messages',
  queryWord: 'Keyword',
  queryWordHint: 'At least 2 characters. Searches text, file names, link and mini-program titles, online-doc and WeDrive file names.',
  chatType: 'Chat',
  chatAny: 'Any chat',
  chatSingle: 'Single chat',
  chatGroup: 'Group chat',
  partyA: 'First party',
  partyB: 'Second party',
  partyTypeEmployee: 'Employee (open_userid)',
  partyTypeExternal: 'External contact (external_userid)',
  chatId: 'Group chat id',
  start: 'From',
  end: 'To',
  timeHint: 'Leave both empty for the last 30 days. The range may not exceed 30 days.',
  limit: 'Page size',
  search: 'Search',
  loadMore: 'Load more',
  exportJson: 'Export JSON',
  exportCsv: 'Export CSV',
  recent: 'Recent searches',
  noResults: 'No messages found.',
  resultsCount: '{0} results',
  missing: 'Not in the local archive — older than what was synced.',
  searching: 'Searching…',
  // new search keys
  formLabel: 'Search form',
  partyKind: 'ID kind',
  chatIdHint: 'Empty = all group chats.',
  limitHint: '1 to 100; empty = 50.',
  rule: 'Rule {0}',
  results: 'Results',
  noRecent: 'No recent searches yet.',
  recentItem: 'Run again: {0}',
  searchError: 'The search failed: {0}',
  resultsCountOne: '1 result',
} as const;

export type StringKey = keyof typeof EN_STRINGS;

let table: UiStrings = {};
let lang: Lang = 'en';

export function setStrings(strings: UiStrings, language: Lang): void {
  table = strings && typeof strings === 'object' ? strings : {};
  lang = language === 'zh' ? 'zh' : 'en';
  setInvalidTimeText((n) => t('invalidTime', String(n)));
}

export function currentLang(): Lang {
  return lang;
}

/** Words shared code (msgtype labels, request rules) from the host's l10n bundle, which init.strings carries keyed by English. */
export const translate: Translate = (message, ...args) => fill(typeof table[message] === 'string' ? (table[message] as string) : message, args);

function fill(template: string, args: readonly (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => {
    const v = args[Number(i)];
    return v === undefined ? m : String(v);
  });
}

/** A string by key with `{0}`, `{1}` … filled in (as text: the result only ever goes to textContent). */
export function t(key: StringKey, ...args: (string | number)[]): string {
  const raw = table[key];
  const template = typeof raw === 'string' ? raw : EN_STRINGS[key];
  return template.replace(/\{(\d+)\}/g, (m, i: string) => {
    const v = args[Number(i)];
    return v === undefined ? m : String(v);
  });
}
