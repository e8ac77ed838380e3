// The message stream of one chat: a virtual list over a bounded window of rows the host pages in
// (keyset anchors), with jumps, filters, gaps, day separators, keyboard navigation and row actions.
import type { GapBand, HostEvent, MessageRow, StreamAnchor, StreamFilter, StreamInit } from '../../src/shared/protocol';
import { msgtypeLabel } from '../../src/shared/msgtypes';
import { button, checkbox, dateField, dropdown, iconButton, registerToolkit } from '../components';
import { codicon, h } from '../lib/dom';
import { dateInputToUnix, localDateTime, localDayKey, unixToDateInput } from '../lib/format';
import { visibleText } from '../../src/shared/visibleText';
import { type InitMessage, getUiState, onHostMessage, ready, request, setUiState } from '../lib/host';
import { type MessageAction, SYSTEM_MSGTYPES, partyBadgeText, partyName, renderMessage } from '../lib/row';
import { configureL10n, t } from '../lib/l10n';
import { VirtualList } from './virtualList';

/** Rows per request, the most rows kept in memory, and how close to an edge loading starts. */
export const PAGE = 200;
export const MAX_ROWS = 2000;
const EDGE_PX = 1500;
const AROUND = 100;
const MSGTYPE_COUNT = 29;

const HEIGHT = { msg: 52, system: 34, day: 28, gap: 44, more: 28 } as const;

type Item =
  | { kind: 'msg'; key: string; height: number; row: MessageRow }
  | { kind: 'day'; key: string; height: number; day: string }
  | { kind: 'gap'; key: string; height: number; gap: GapBand }
  | { kind: 'more'; key: string; height: number };

interface UiState {
  noteDismissed?: boolean;
  /** Which chat this panel shows: VS Code hands this state to the host's serializer after a reload. */
  profileId?: string;
  chatKey?: string;
}

interface View {
  data: StreamInit;
  filter: StreamFilter;
  rows: MessageRow[];
  atStart: boolean;
  atEnd: boolean;
  /** Bumped whenever the window is replaced: late answers of older requests are dropped. */
  generation: number;
  busy: boolean;
  /** The load in flight, if any. */
  pending?: Promise<unknown>;
  focused?: string;
  highlighted?: string;
  /** Set while Esc moves focus to the list, so the list does not pick a row again. */
  keepUnfocused?: boolean;
  /** Messages in the chat (stream.appended counts these, whatever the filter). */
  knownTotal: number;
  newCount: number;
  list: VirtualList<Item>;
  refs: {
    status: HTMLElement;
    total: HTMLElement;
    pill: HTMLElement;
    typesButton: HTMLElement;
    typesPanel: HTMLElement;
    sender: ReturnType<typeof dropdown>;
    checks: Map<number, HTMLElement & { checked: boolean }>;
  };
}

let view: View | undefined;
let statusTimer: ReturnType<typeof setTimeout> | undefined;

const msgKey = (msgid: string): string => `m:${msgid}`;

function buildItems(v: View): Item[] {
  const items: Item[] = [];
  const gaps = [...v.data.gaps].sort((a, b) => a.from - b.from);
  let g = 0;
  const rows = v.rows;
  if (!v.atStart && rows.length > 0) items.push({ kind: 'more', key: 'more:top', height: HEIGHT.more });
  const first = rows[0];
  // Gaps that lie before the first row belong to the window only when it starts at the chat's start.
  while (g < gaps.length && first && gaps[g]!.from < first.sendTime) {
    if (v.atStart) items.push(gapItem(gaps[g]!));
    g++;
  }
  let prevDay = '';
  for (const row of rows) {
    while (g < gaps.length && gaps[g]!.from < row.sendTime) items.push(gapItem(gaps[g++]!));
    const day = localDayKey(row.sendTime);
    if (day !== prevDay) {
      items.push({ kind: 'day', key: `d:${day}:${row.msgid}`, height: HEIGHT.day, day });
      prevDay = day;
    }
    items.push({ kind: 'msg', key: msgKey(row.msgid), height: SYSTEM_MSGTYPES.has(row.msgtype) ? HEIGHT.system : HEIGHT.msg, row });
  }
  if (v.atEnd) while (g < gaps.length) items.push(gapItem(gaps[g++]!));
  else if (rows.length > 0) items.push({ kind: 'more', key: 'more:bottom', height: HEIGHT.more });
  return items;
}

function gapItem(gap: GapBand): Item {
  return { kind: 'gap', key: `g:${gap.from}:${gap.to}`, height: HEIGHT.gap, gap };
}

function createItem(item: Item, v: () => View): HTMLElement {
  switch (item.kind) {
    case 'day':
      return h('div', { class: 'day-sep', role: 'separator', 'aria-label': item.day }, h('span', {}, item.day));
    case 'gap':
      return h(
        'div',
        { class: 'gap-band', role: 'note' },
        codicon('warning'),
        h('span', { class: 'gap-text' }, t('Gap: messages from {0} to {1} were never synced (WeCom keeps 5 days).', localDateTime(item.gap.from), localDateTime(item.gap.to))),
        h('span', { class: 'gap-reason', dir: 'auto' }, item.gap.reason),
      );
    case 'more':
      return h('div', { class: 'more-marker', 'aria-hidden': 'true' }, t('Loading…'));
    case 'msg': {
      const el = renderMessage(item.row, {
        actions: { hasViewer: v().data.hasViewer, run: (msgid, action) => void runAction(msgid, action) },
      });
      el.tabIndex = -1;
      el.addEventListener('click', () => {
        const cur = v();
        cur.focused = item.row.msgid;
        cur.list.refresh();
        el.focus({ preventScroll: true });
      });
      return el;
    }
  }
}

function updateItem(el: HTMLElement, item: Item, v: View): void {
  if (item.kind !== 'msg') return;
  const focused = v.focused === item.row.msgid;
  el.tabIndex = focused ? 0 : -1;
  el.classList.toggle('focused', focused);
  el.classList.toggle('highlight', v.highlighted === item.row.msgid);
  for (const b of el.querySelectorAll<HTMLButtonElement>('.msg-actions button')) b.tabIndex = focused ? 0 : -1;
}

function setStatus(text: string): void {
  if (!view) return;
  const el = view.refs.status;
  el.textContent = text;
  if (statusTimer) clearTimeout(statusTimer);
  statusTimer = setTimeout(() => {
    el.textContent = '';
  }, 6000);
}

async function runAction(msgid: string, action: MessageAction): Promise<void> {
  try {
    const r = await request('message.action', { msgid, action });
    if (r.message) setStatus(r.message);
  } catch (e) {
    setStatus(t('The action failed: {0}', errorText(e)));
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

// ------------------------------------------------------------------ the window of rows

function applyRows(v: View, anchor?: Parameters<VirtualList<Item>['setItems']>[1]): void {
  v.list.setItems(buildItems(v), anchor);
  v.list.viewport.setAttribute('aria-busy', 'false');
  v.list.viewport.classList.toggle('empty', v.rows.length === 0);
}

async function idle(v: View): Promise<void> {
  while (v.busy && v.pending) await v.pending.catch(() => undefined);
}

/** Replaces the whole window (jumps, filters, first load). */
async function replaceWindow(v: View, load: () => Promise<{ rows: MessageRow[]; atStart: boolean; atEnd: boolean }>): Promise<boolean> {
  const gen = ++v.generation;
  v.busy = true;
  v.list.viewport.setAttribute('aria-busy', 'true');
  try {
    const p = load();
    v.pending = p;
    const r = await p;
    if (gen !== v.generation) return false;
    v.rows = r.rows;
    v.atStart = r.atStart;
    v.atEnd = r.atEnd;
    applyRows(v);
    return true;
  } catch (e) {
    if (gen === v.generation) setStatus(t('Could not load messages: {0}', errorText(e)));
    return false;
  } finally {
    if (gen === v.generation) v.busy = false;
  }
}

async function jumpLast(v: View, focus = false): Promise<void> {
  const ok = await replaceWindow(v, async () => {
    const { rows } = await request('stream.page', { direction: 'older', limit: PAGE, filter: v.filter });
    return { rows, atStart: rows.length < PAGE, atEnd: true };
  });
  if (!ok) return;
  v.newCount = 0;
  updatePill(v);
  v.list.scrollToBottom();
  if (focus) focusIndex(v, lastMsgIndex(v));
  checkEdges(v);
}

async function jumpFirst(v: View, focus = false): Promise<void> {
  const ok = await replaceWindow(v, async () => {
    const { rows } = await request('stream.page', { direction: 'newer', limit: PAGE, filter: v.filter });
    return { rows, atStart: true, atEnd: rows.length < PAGE };
  });
  if (!ok) return;
  v.list.scrollToTop();
  if (focus) focusIndex(v, firstMsgIndex(v));
  checkEdges(v);
}

/** Loads rows around a message, scrolls it to the middle and (optionally) highlights it. */
async function loadAround(v: View, msgid: string, highlight: boolean): Promise<boolean> {
  let found = false;
  const ok = await replaceWindow(v, async () => {
    const { rows } = await request('stream.around', { msgid, before: AROUND, after: AROUND, filter: v.filter });
    const at = rows.findIndex((r) => r.msgid === msgid);
    found = at >= 0;
    if (!found) {
      // Not in the archive (or filtered out): keep the current window.
      return { rows: v.rows, atStart: v.atStart, atEnd: v.atEnd };
    }
    return { rows, atStart: at < AROUND, atEnd: rows.length - at - 1 < AROUND };
  });
  if (!ok) return false;
  if (!found) {
    setStatus(t('That message is not in the local archive.'));
    return false;
  }
  if (highlight) v.highlighted = msgid;
  const i = v.list.indexOf(msgKey(msgid));
  v.list.scrollToIndex(i, 'center');
  focusIndex(v, i);
  checkEdges(v);
  return true;
}

async function jumpDate(v: View, sendTime: number): Promise<void> {
  try {
    const { anchor } = await request('stream.locate', { sendTime, filter: v.filter });
    if (anchor) await loadAround(v, anchor.msgid, false);
    else await jumpLast(v, true);
  } catch (e) {
    setStatus(t('Could not load messages: {0}', errorText(e)));
  }
}

/** Grows the window at one end and trims the far end to MAX_ROWS. */
async function extend(v: View, direction: 'older' | 'newer'): Promise<number> {
  if (v.busy || v.rows.length === 0) return 0;
  if (direction === 'older' ? v.atStart : v.atEnd) return 0;
  const gen = v.generation;
  const edge = direction === 'older' ? v.rows[0]! : v.rows[v.rows.length - 1]!;
  const from: StreamAnchor = { sendTime: edge.sendTime, msgid: edge.msgid };
  v.busy = true;
  try {
    const p = request('stream.page', { direction, from, limit: PAGE, filter: v.filter });
    v.pending = p;
    const { rows } = await p;
    if (gen !== v.generation) return 0;
    const anchor = v.list.captureAnchor();
    const known = new Set(v.rows.map((r) => r.msgid));
    const fresh = rows.filter((r) => !known.has(r.msgid));
    if (direction === 'older') {
      v.rows = fresh.concat(v.rows);
      v.atStart = rows.length < PAGE;
      if (v.rows.length > MAX_ROWS) {
        v.rows = v.rows.slice(0, MAX_ROWS);
        v.atEnd = false;
      }
    } else {
      v.rows = v.rows.concat(fresh);
      v.atEnd = rows.length < PAGE;
      if (v.rows.length > MAX_ROWS) {
        v.rows = v.rows.slice(v.rows.length - MAX_ROWS);
        v.atStart = false;
      }
    }
    applyRows(v, anchor);
    return fresh.length;
  } catch (e) {
    setStatus(t('Could not load messages: {0}', errorText(e)));
    return 0;
  } finally {
    if (gen === v.generation) v.busy = false;
  }
}

/** Loads more when the viewport is near an end of the window. */
function checkEdges(v: View): void {
  if (v.busy) return;
  const vp = v.list.viewport;
  if (!v.atStart && vp.scrollTop < EDGE_PX) {
    void extend(v, 'older').then((n) => n > 0 && checkEdges(v));
  } else if (!v.atEnd && vp.scrollHeight - vp.scrollTop - vp.clientHeight < EDGE_PX) {
    void extend(v, 'newer').then((n) => n > 0 && checkEdges(v));
  }
  if (v.atEnd && v.list.isAtBottom() && v.newCount > 0) {
    v.newCount = 0;
    updatePill(v);
  }
}

function updatePill(v: View): void {
  const pill = v.refs.pill;
  pill.hidden = v.newCount <= 0;
  const label = pill.querySelector('.pill-text');
  if (label) label.textContent = v.newCount === 1 ? t('1 new message') : t('{0} new messages', v.newCount.toLocaleString());
}

/** "1 message", "12,118 messages", "20,000+ messages". */
function totalText(total: number, atLeast = false): string {
  if (atLeast) return t('{0}+ messages', total.toLocaleString());
  return total === 1 ? t('1 message') : t('{0} messages', total.toLocaleString());
}

async function onAppended(v: View, total: number): Promise<void> {
  const added = Math.max(0, total - v.knownTotal);
  v.knownTotal = total;
  if (added === 0) return;
  // Without a filter the header counts the chat; with one, its count comes from stream.setFilter.
  if (!hasFilter(v.filter)) v.refs.total.textContent = totalText(total);
  if (v.atEnd && v.list.isAtBottom() && !v.busy) {
    v.atEnd = false;
    let n = 0;
    do n = await extend(v, 'newer');
    while (n >= PAGE && !v.atEnd);
    v.list.scrollToBottom();
    return;
  }
  v.atEnd = false;
  applyRows(v, v.list.captureAnchor());
  v.newCount += added;
  updatePill(v);
}

// ------------------------------------------------------------------ keyboard

function msgIndices(v: View, from: number, step: 1 | -1): number {
  for (let i = from; i >= 0 && i < v.list.length; i += step) if (v.list.item(i)?.kind === 'msg') return i;
  return -1;
}
const firstMsgIndex = (v: View): number => msgIndices(v, 0, 1);
const lastMsgIndex = (v: View): number => msgIndices(v, v.list.length - 1, -1);

function focusedIndex(v: View): number {
  return v.focused ? v.list.indexOf(msgKey(v.focused)) : -1;
}

function focusIndex(v: View, index: number): void {
  const item = v.list.item(index);
  if (item?.kind !== 'msg') return;
  v.focused = item.row.msgid;
  v.list.scrollToIndex(index, 'nearest');
  v.list.refresh();
  v.list.element(item.key)?.focus({ preventScroll: true });
}

async function moveFocus(v: View, by: number): Promise<void> {
  const step: 1 | -1 = by > 0 ? 1 : -1;
  const cur = focusedIndex(v);
  if (cur < 0) {
    const i = msgIndices(v, Math.max(0, step > 0 ? v.list.firstVisibleIndex() : v.list.lastVisibleIndex()), step);
    if (i >= 0) focusIndex(v, i);
    return;
  }
  let target = cur;
  let left = Math.abs(by);
  for (let i = cur + step; left > 0 && i >= 0 && i < v.list.length; i += step) {
    if (v.list.item(i)?.kind === 'msg') {
      target = i;
      left--;
    }
  }
  focusIndex(v, target);
  if (left > 0 && !(step > 0 ? v.atEnd : v.atStart)) {
    // At the window's edge: page in more, then go on from the row reached.
    await idle(v);
    const n = await extend(v, step > 0 ? 'newer' : 'older');
    if (n > 0) await moveFocus(v, step * left);
  }
}

function onKey(v: View, e: KeyboardEvent): void {
  const target = e.target as HTMLElement;
  const inRowOrList = target === v.list.viewport || target.classList.contains('msg');
  switch (e.key) {
    case 'ArrowDown':
      e.preventDefault();
      void moveFocus(v, 1);
      break;
    case 'ArrowUp':
      e.preventDefault();
      void moveFocus(v, -1);
      break;
    case 'PageDown':
    case 'PageUp': {
      e.preventDefault();
      const n = Math.max(1, Math.floor(v.list.viewport.clientHeight / HEIGHT.msg) - 1);
      void moveFocus(v, e.key === 'PageDown' ? n : -n);
      break;
    }
    case 'Home':
      e.preventDefault();
      void jumpFirst(v, true);
      break;
    case 'End':
      e.preventDefault();
      void jumpLast(v, true);
      break;
    case 'Enter':
      if (inRowOrList && v.focused) {
        e.preventDefault();
        void runAction(v.focused, 'showRaw');
      }
      break;
    case 'Escape':
      e.preventDefault();
      clearSelectionOrFilters(v);
      break;
  }
}

function hasFilter(f: StreamFilter): boolean {
  return (f.msgtypes?.length ?? 0) > 0 || Boolean(f.sender);
}

function clearSelectionOrFilters(v: View): void {
  if (v.highlighted || v.focused) {
    v.highlighted = undefined;
    v.focused = undefined;
    v.list.refresh();
    v.keepUnfocused = true;
    v.list.viewport.focus({ preventScroll: true });
    v.keepUnfocused = false;
    return;
  }
  if (hasFilter(v.filter)) void setFilter(v, {});
}

// ------------------------------------------------------------------ filters

async function setFilter(v: View, filter: StreamFilter): Promise<void> {
  v.filter = filter;
  syncFilterControls(v);
  try {
    const { total, atLeast } = await request('stream.setFilter', { filter });
    v.refs.total.textContent = totalText(total, atLeast);
  } catch (e) {
    setStatus(t('Could not load messages: {0}', errorText(e)));
  }
  v.focused = undefined;
  v.highlighted = undefined;
  await jumpLast(v);
}

function syncFilterControls(v: View): void {
  const types = new Set(v.filter.msgtypes ?? []);
  for (const [n, c] of v.refs.checks) c.checked = types.has(n);
  v.refs.typesButton.querySelector('.types-text')!.textContent = types.size === 0 ? t('All types') : t('{0} types', types.size);
  v.refs.sender.value = v.filter.sender ?? '';
}

// ------------------------------------------------------------------ building the panel

function toolbar(v: () => View, data: StreamInit): { el: HTMLElement; refs: Omit<View['refs'], 'status' | 'pill'> } {
  const total = h('span', { class: 'stream-total' }, totalText(data.total, data.totalAtLeast));
  const first = button({ id: 'jump-first', text: t('First'), icon: 'arrow-up', appearance: 'secondary', onClick: () => void jumpFirst(v(), true) });
  const last = button({ id: 'jump-last', text: t('Latest'), icon: 'arrow-down', appearance: 'secondary', onClick: () => void jumpLast(v(), true) });
  const date = dateField({ id: 'jump-date', label: t('Jump to date'), value: data.lastTime ? unixToDateInput(data.lastTime) : '' });
  const goDate = () => {
    const ts = dateInputToUnix(date.value);
    if (ts !== undefined) void jumpDate(v(), ts);
  };
  date.control.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter') goDate();
  });
  const go = button({ id: 'jump-date-go', text: t('Go'), icon: 'calendar', appearance: 'secondary', label: t('Jump to date'), onClick: goDate });

  // Msgtype filter: a disclosure with one checkbox per type.
  const typesText = h('span', { class: 'types-text' }, t('All types'));
  const typesButton = h('button', { type: 'button', id: 'types-button', class: 'toolbar-toggle', 'aria-expanded': 'false', 'aria-controls': 'types-panel', 'aria-label': t('Message types') }, codicon('filter'), typesText);
  const typesPanel = h('div', { id: 'types-panel', class: 'types-panel', role: 'group', 'aria-label': t('Message types') });
  typesPanel.hidden = true;
  const checks = new Map<number, HTMLElement & { checked: boolean }>();
  for (let n = 0; n < MSGTYPE_COUNT; n++) {
    const c = checkbox({
      label: `${n} · ${msgtypeLabel(n, t)}`,
      value: String(n),
      checked: false,
      onChange: () => {
        const cur = v();
        const chosen = [...checks].filter(([, el]) => el.checked).map(([k]) => k);
        const before = (cur.filter.msgtypes ?? []).join(',');
        if (before !== chosen.join(',')) void setFilter(cur, { ...cur.filter, msgtypes: chosen.length ? chosen : undefined });
      },
    });
    checks.set(n, c);
    typesPanel.append(c);
  }
  typesButton.addEventListener('click', () => {
    typesPanel.hidden = !typesPanel.hidden;
    typesButton.setAttribute('aria-expanded', String(!typesPanel.hidden));
  });
  typesPanel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      typesPanel.hidden = true;
      typesButton.setAttribute('aria-expanded', 'false');
      typesButton.focus();
    }
  });

  const sender = dropdown({ id: 'sender-filter', label: t('Sender'), options: [{ value: '', text: t('All senders') }], value: '' });
  sender.onInput(() => {
    const cur = v();
    const id = sender.value;
    if ((cur.filter.sender ?? '') !== id) void setFilter(cur, { ...cur.filter, sender: id || undefined });
  });
  const clear = iconButton('clear-all', t('Clear filters'), () => void setFilter(v(), {}));
  clear.id = 'clear-filters';

  const el = h(
    'div',
    { class: 'toolbar', role: 'toolbar', 'aria-label': t('Message stream tools') },
    h('h1', { class: 'stream-title', title: visibleText(data.chatKey) }, h('bdi', {}, visibleText(data.title))),
    total,
    h('span', { class: 'toolbar-spacer' }),
    first.el,
    last.el,
    date.el,
    go.el,
    typesButton,
    sender.el,
    clear,
  );
  return { el: h('div', { class: 'toolbar-wrap' }, el, typesPanel), refs: { total, typesButton, typesPanel, sender, checks } };
}

function contentNote(): HTMLElement | undefined {
  const ui = getUiState<UiState>();
  if (ui.noteDismissed) return undefined;
  const note = h('div', { class: 'content-note', role: 'note', id: 'content-note' }, codicon('info'), h('span', {}, t('WeCom gives providers message metadata only: the content is shown by WeCom\'s display component in your viewer page ("Open in viewer").')));
  note.append(
    iconButton('close', t('Dismiss'), () => {
      note.remove();
      setUiState<UiState>({ ...getUiState<UiState>(), noteDismissed: true });
    }),
  );
  return note;
}

async function loadSenders(v: View): Promise<void> {
  try {
    const { senders } = await request('stream.senders', {});
    if (view !== v) return;
    v.refs.sender.setOptions(
      [{ value: '', text: t('All senders') }, ...senders.map((s) => ({ value: s.id, text: `${partyName(s)} (${partyBadgeText(s.type)}) · ${s.count.toLocaleString()}` }))],
      v.filter.sender ?? '',
    );
  } catch {
    // The filter stays at "all senders".
  }
}

function render(init: InitMessage): void {
  if (init.view !== 'stream') return;
  configureL10n(init.l10n, init.lang);
  registerToolkit();
  const data = init.data;
  setUiState<UiState>({ ...getUiState<UiState>(), profileId: data.profileId, chatKey: data.chatKey });
  const app = document.getElementById('app')!;
  const get = (): View => v;

  const bar = toolbar(get, data);
  const status = h('div', { id: 'stream-status', class: 'status', role: 'status', 'aria-live': 'polite' });
  const viewport = h('div', { id: 'stream-list', class: 'stream-list', role: 'list', tabindex: '0', 'aria-label': `${t('Messages')}: ${visibleText(data.title)}`, 'aria-busy': 'true' });
  const empty = h('div', { class: 'stream-empty' }, t('No messages match.'));
  const pill = h('button', { type: 'button', id: 'new-pill', class: 'new-pill' }, h('span', { class: 'pill-text' }), codicon('arrow-down'));
  pill.hidden = true;
  pill.addEventListener('click', () => void jumpLast(get()));

  const list = new VirtualList<Item>(viewport, {
    create: (item) => createItem(item, get),
    update: (el, item) => updateItem(el, item, get()),
    overscanPx: 300,
  });
  const v: View = {
    data,
    filter: { ...data.filter },
    rows: [],
    atStart: true,
    atEnd: true,
    generation: 0,
    busy: false,
    knownTotal: data.chatTotal ?? data.total,
    newCount: 0,
    list,
    refs: { ...bar.refs, status, pill },
  };
  view = v;
  viewport.addEventListener('scroll', () => checkEdges(v), { passive: true });
  viewport.addEventListener('keydown', (e) => onKey(v, e));
  viewport.addEventListener('focus', () => {
    if (!v.focused && !v.keepUnfocused) {
      const i = v.list.firstVisibleIndex();
      const first = msgIndices(v, Math.max(0, i), 1);
      if (first >= 0) {
        v.focused = (v.list.item(first) as Extract<Item, { kind: 'msg' }>).row.msgid;
        v.list.refresh();
      }
    }
  });

  const note = contentNote();
  const parts: HTMLElement[] = [bar.el];
  if (note) parts.push(note);
  parts.push(h('div', { class: 'stream-body' }, viewport, empty, pill), status);
  app.replaceChildren(...parts);
  app.classList.add('stream-app');
  app.removeAttribute('aria-busy');
  syncFilterControls(v);
  void loadSenders(v);
  if (data.focusMsgid) {
    void loadAround(v, data.focusMsgid, true).then((ok) => {
      if (!ok && v.rows.length === 0) void jumpLast(v);
    });
  } else void jumpLast(v);
}

function onEvent(e: HostEvent): void {
  const v = view;
  if (!v) return;
  if (e.name === 'stream.appended') void onAppended(v, e.total);
  else if (e.name === 'stream.reveal') void loadAround(v, e.msgid, true);
}

onHostMessage(render, onEvent);
ready();
