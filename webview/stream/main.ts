// The message stream of one chat: a virtual list over a bounded window of rows the host pages in
// (keyset anchors), with jumps, filters, gaps, day separators, keyboard navigation and row actions.
// This file wires the parts together: rowWindow (the window's rules), controller (loading, focus),
// keyboard, toolbar, render (the list's elements) and virtualList.
import type { HostEvent, RequestMap } from '../../src/shared/protocol';
import { visibleText } from '../../src/shared/visibleText';
import { registerToolkit } from '../components';
import { h } from '../lib/dom';
import { type InitMessage, getUiState, onHostMessage, ready, request, setUiState } from '../lib/host';
import { configureL10n, t } from '../lib/l10n';
import { StreamController } from './controller';
import type { Item } from './items';
import { onKey } from './keyboard';
import { createItem, updateItem } from './render';
import { type UiState, buildToolbar } from './toolbar';
import { VirtualList } from './virtualList';

let current: StreamController | undefined;

async function loadSenders(c: StreamController, show: (senders: RequestMap['stream.senders']['result']['senders']) => void): Promise<void> {
  try {
    const { senders } = await request('stream.senders', {});
    if (current === c) show(senders);
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
  // The toolbar and the list are built before the controller that drives them: they reach it lazily.
  let c: StreamController | undefined;
  const get = (): StreamController => c!;

  const bar = buildToolbar(data, {
    jumpFirst: () => void get().jumpFirst(true),
    jumpLast: (focus) => void get().jumpLast(focus),
    jumpDate: (sendTime) => void get().jumpDate(sendTime),
    filter: () => get().filter,
    setFilter: (filter) => void get().setFilter(filter),
  });
  const viewport = h('div', { id: 'stream-list', class: 'stream-list', role: 'list', tabindex: '0', 'aria-label': `${t('Messages')}: ${visibleText(data.title)}`, 'aria-busy': 'true' });
  const empty = h('div', { class: 'stream-empty' }, t('No messages match.'));
  const list = new VirtualList<Item>(viewport, {
    create: (item) => createItem(item, get),
    update: (el, item) => updateItem(el, item, get()),
    overscanPx: 300,
  });
  const controller = new StreamController(data, list, bar);
  c = controller;
  current = controller;
  viewport.addEventListener('scroll', () => controller.checkEdges(), { passive: true });
  viewport.addEventListener('keydown', (e) => onKey(controller, e));
  viewport.addEventListener('focus', () => controller.focusFirstVisible());

  const parts: HTMLElement[] = [bar.el];
  if (bar.note) parts.push(bar.note);
  parts.push(h('div', { class: 'stream-body' }, viewport, empty, bar.pill), bar.status);
  app.replaceChildren(...parts);
  app.classList.add('stream-app');
  app.removeAttribute('aria-busy');
  bar.showFilter(controller.filter);
  void loadSenders(controller, (senders) => bar.setSenders(senders, controller.filter.sender ?? ''));
  if (data.focusMsgid) {
    void controller.loadAround(data.focusMsgid, true).then((ok) => {
      if (!ok && controller.rows.length === 0) void controller.jumpLast();
    });
  } else void controller.jumpLast();
}

function onEvent(e: HostEvent): void {
  const c = current;
  if (!c) return;
  if (e.name === 'stream.appended') void c.onAppended(e.total);
  else if (e.name === 'stream.reveal') void c.loadAround(e.msgid, true);
}

onHostMessage(render, onEvent);
ready();
