// Everything around the list: the toolbar (title, count, jumps, msgtype and sender filters), the
// content note, the new-messages pill and the status line. It shows what the controller tells it
// (StreamUi) and calls back for what the user asks.
import { msgtypeLabel } from '../../src/shared/msgtypes';
import type { PartyView, StreamFilter, StreamInit } from '../../src/shared/protocol';
import { visibleText } from '../../src/shared/visibleText';
import { button, checkbox, dateField, dropdown, iconButton } from '../components';
import { codicon, h } from '../lib/dom';
import { dateInputToUnix, unixToDateInput } from '../lib/format';
import { getUiState, setUiState } from '../lib/host';
import { t } from '../lib/l10n';
import { partyBadgeText, partyName } from '../lib/row';
import type { StreamUi } from './controller';

const MSGTYPE_COUNT = 29;
/** How long a status message stays. */
const STATUS_MS = 6000;

/** What the webview keeps in setState: small UI state only. */
export interface UiState {
  noteDismissed?: boolean;
  /** Which chat this panel shows: VS Code hands this state to the host's serializer after a reload. */
  profileId?: string;
  chatKey?: string;
}

export interface ToolbarActions {
  /** The toolbar's buttons also focus the row they reach; the pill only scrolls. */
  jumpFirst(): void;
  jumpLast(focus: boolean): void;
  jumpDate(sendTime: number): void;
  filter(): StreamFilter;
  setFilter(filter: StreamFilter): void;
}

export interface Toolbar extends StreamUi {
  /** The toolbar with its msgtype panel. */
  el: HTMLElement;
  /** The content note, unless the user dismissed it. */
  note?: HTMLElement;
  pill: HTMLElement;
  status: HTMLElement;
  setSenders(senders: readonly (PartyView & { count: number })[], selected: string): void;
}

/** "1 message", "12,118 messages", "20,000+ messages". */
function totalText(total: number, atLeast = false): string {
  if (atLeast) return t('{0}+ messages', total.toLocaleString());
  return total === 1 ? t('1 message') : t('{0} messages', total.toLocaleString());
}

function contentNote(): HTMLElement | undefined {
  const ui = getUiState<UiState>();
  if (ui.noteDismissed) return undefined;
  const note = h(
    'div',
    { class: 'content-note', role: 'note', id: 'content-note' },
    codicon('info'),
    h('span', {}, t('WeCom gives providers message metadata only: the content is shown by WeCom\'s display component in your viewer page ("Open in viewer").')),
  );
  note.append(
    iconButton('close', t('Dismiss'), () => {
      note.remove();
      setUiState<UiState>({ ...getUiState<UiState>(), noteDismissed: true });
    }),
  );
  return note;
}

export function buildToolbar(data: StreamInit, actions: ToolbarActions): Toolbar {
  const total = h('span', { class: 'stream-total' }, totalText(data.total, data.totalAtLeast));
  const first = button({ id: 'jump-first', text: t('First'), icon: 'arrow-up', appearance: 'secondary', onClick: () => actions.jumpFirst() });
  const last = button({ id: 'jump-last', text: t('Latest'), icon: 'arrow-down', appearance: 'secondary', onClick: () => actions.jumpLast(true) });
  const date = dateField({ id: 'jump-date', label: t('Jump to date'), value: data.lastTime ? unixToDateInput(data.lastTime) : '' });
  const goDate = () => {
    const ts = dateInputToUnix(date.value);
    if (ts !== undefined) actions.jumpDate(ts);
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
        const filter = actions.filter();
        const chosen = [...checks].filter(([, el]) => el.checked).map(([k]) => k);
        const before = (filter.msgtypes ?? []).join(',');
        if (before !== chosen.join(',')) actions.setFilter({ ...filter, msgtypes: chosen.length ? chosen : undefined });
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
    const filter = actions.filter();
    const id = sender.value;
    if ((filter.sender ?? '') !== id) actions.setFilter({ ...filter, sender: id || undefined });
  });
  const clear = iconButton('clear-all', t('Clear filters'), () => actions.setFilter({}));
  clear.id = 'clear-filters';

  const bar = h(
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

  const status = h('div', { id: 'stream-status', class: 'status', role: 'status', 'aria-live': 'polite' });
  let statusTimer: ReturnType<typeof setTimeout> | undefined;
  const pill = h('button', { type: 'button', id: 'new-pill', class: 'new-pill' }, h('span', { class: 'pill-text' }), codicon('arrow-down'));
  pill.hidden = true;
  pill.addEventListener('click', () => actions.jumpLast(false));

  return {
    el: h('div', { class: 'toolbar-wrap' }, bar, typesPanel),
    note: contentNote(),
    pill,
    status,
    setStatus(text) {
      status.textContent = text;
      if (statusTimer) clearTimeout(statusTimer);
      statusTimer = setTimeout(() => {
        status.textContent = '';
      }, STATUS_MS);
    },
    showTotal(n, atLeast) {
      total.textContent = totalText(n, atLeast);
    },
    showNewCount(count) {
      pill.hidden = count <= 0;
      const label = pill.querySelector('.pill-text');
      if (label) label.textContent = count === 1 ? t('1 new message') : t('{0} new messages', count.toLocaleString());
    },
    showFilter(filter) {
      const types = new Set(filter.msgtypes ?? []);
      for (const [n, c] of checks) c.checked = types.has(n);
      typesText.textContent = types.size === 0 ? t('All types') : t('{0} types', types.size);
      sender.value = filter.sender ?? '';
    },
    setSenders(senders, selected) {
      sender.setOptions([{ value: '', text: t('All senders') }, ...senders.map((s) => ({ value: s.id, text: `${partyName(s)} (${partyBadgeText(s.type)}) · ${s.count.toLocaleString()}` }))], selected);
    },
  };
}
