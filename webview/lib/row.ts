// One message rendered by msgtype: the stream's rows and the search results share this renderer.
// Everything that comes from the API goes into textContent or attributes, never into HTML.
import type { MessageAction, MessageRow, PartyView } from '../../src/shared/protocol';
import { isoTime, visibleText } from '../../src/shared/visibleText';
import { CALL_MSGTYPES, SEARCHABLE_MSGTYPES, msgtypeLabel } from '../../src/shared/msgtypes';
import { PARTY_EMPLOYEE, PARTY_EXTERNAL, PARTY_ROBOT } from '../../src/shared/wire';
import { iconButton } from '../components';
import { codicon, h } from './dom';
import { formatDuration, localDateTime, localTime } from './format';
import { t } from './l10n';
import { SYSTEM_MSGTYPES, msgtypeIcon } from './msgtypeStyle';

export function msgtypeText(msgtype: number): string {
  return msgtypeLabel(msgtype, t);
}

export type { MessageAction };

export interface RowOptions {
  /** Per-row action buttons; absent = none (the search results open the hit instead). */
  actions?: { hasViewer: boolean; run: (msgid: string, action: MessageAction) => void };
  /** Element id (for aria-activedescendant / aria-describedby). */
  id?: string;
  role?: string;
}

/** A party as shown: its name where known, else its id; bidi and control characters made visible. */
export function partyName(p: PartyView): string {
  return visibleText(p.name && p.name.length > 0 ? p.name : p.id);
}

export function partyBadgeText(type: number): string {
  if (type === PARTY_EMPLOYEE) return t('Employee');
  if (type === PARTY_EXTERNAL) return t('External contact');
  if (type === PARTY_ROBOT) return t('Robot');
  return t('Party type {0}', String(type));
}

function party(p: PartyView, cls: string): HTMLElement {
  // The badge's colour class: party-1, party-2, party-3 (media/webview.css), else party-other.
  const badgeType = p.type === PARTY_EMPLOYEE || p.type === PARTY_EXTERNAL || p.type === PARTY_ROBOT ? String(p.type) : 'other';
  return h(
    'span',
    { class: `party ${cls}`, title: visibleText(p.id) },
    h('bdi', { class: 'party-name' }, partyName(p)),
    h('span', { class: `party-badge party-${badgeType}` }, partyBadgeText(p.type)),
  );
}

const RECEIVERS_SHOWN = 3;

function receivers(row: MessageRow): HTMLElement {
  const count = Math.max(row.receiverCount, row.receivers.length);
  const shown = row.receivers.slice(0, RECEIVERS_SHOWN);
  const all = row.receivers.map(partyName).join(', ');
  const el = h('span', { class: 'msg-receivers', 'aria-label': count === 0 ? t('No receivers') : t('Receivers: {0}', all) });
  if (count === 0) {
    el.append(h('span', { class: 'msg-none' }, t('No receivers')));
    return el;
  }
  el.append(h('span', { class: 'msg-to' }, t('to')));
  shown.forEach((p, i) => {
    if (i > 0) el.append(', ');
    el.append(h('bdi', { class: 'receiver', title: visibleText(p.id) }, partyName(p)));
  });
  if (count > shown.length) el.append(h('span', { class: 'msg-more' }, ` ${t('+{0} more', count - shown.length)}`));
  return el;
}

// Labels are read when a row is built: the bundle is only configured once `init` arrived.
const ACTIONS: readonly { action: MessageAction; icon: string; label: () => string }[] = [
  { action: 'copyId', icon: 'copy', label: () => t('Copy msgid') },
  { action: 'showRaw', icon: 'json', label: () => t('Raw JSON') },
  { action: 'decryptKey', icon: 'key', label: () => t('Decrypt secret key') },
  { action: 'openViewer', icon: 'link-external', label: () => t('Open in viewer') },
];

function actionBar(row: MessageRow, actions: NonNullable<RowOptions['actions']>): HTMLElement {
  const bar = h('div', { class: 'msg-actions', role: 'group', 'aria-label': t('Message actions') });
  for (const a of ACTIONS) {
    if (a.action === 'openViewer' && !actions.hasViewer) continue;
    const b = iconButton(a.icon, a.label(), () => actions.run(row.msgid, a.action));
    b.dataset.action = a.action;
    b.tabIndex = -1; // roving: the focused row's buttons become tabbable
    bar.append(b);
  }
  return bar;
}

export function rowLabel(row: MessageRow): string {
  return t('{0} from {1}, {2}', msgtypeText(row.msgtype), partyName(row.sender), localDateTime(row.sendTime));
}

/** One message as an element of fixed layout (the virtual list gives it its height). */
export function renderMessage(row: MessageRow, opts: RowOptions = {}): HTMLElement {
  const system = SYSTEM_MSGTYPES.has(row.msgtype);
  const icon = codicon(msgtypeIcon(row.msgtype));
  icon.classList.add('msg-icon');
  const type = h('span', { class: 'msg-type' }, msgtypeText(row.msgtype));
  // Any number the API sent: an impossible one has no datetime and shows as "invalid time …".
  const iso = isoTime(row.sendTime);
  const time = h('time', { class: iso ? 'msg-time' : 'msg-time invalid-time', datetime: iso, title: localDateTime(row.sendTime) }, localTime(row.sendTime));
  const el = h('div', {
    class: system ? 'msg msg-system' : 'msg',
    role: opts.role ?? 'listitem',
    id: opts.id,
    'data-msgid': row.msgid,
    'data-msgtype': String(row.msgtype),
    'aria-label': rowLabel(row),
  });
  if (system) {
    el.append(h('div', { class: 'msg-system-line' }, icon, type, party(row.sender, 'msg-sender'), time));
    if (opts.actions) el.append(actionBar(row, opts.actions));
    return el;
  }
  const line1 = h('div', { class: 'msg-line1' }, type);
  if (SEARCHABLE_MSGTYPES.has(row.msgtype)) {
    const mark = h('span', { class: 'msg-searchable', title: t('search_msg can find this message type') }, codicon('search'), t('Searchable'));
    line1.append(mark);
  }
  line1.append(party(row.sender, 'msg-sender'), receivers(row), time);
  const line2 = h('div', { class: 'msg-line2' });
  if (CALL_MSGTYPES.has(row.msgtype) && typeof row.callDuration === 'number') {
    line2.append(h('span', { class: 'msg-duration' }, codicon('watch'), `${t('Duration')} ${formatDuration(row.callDuration)}`));
  }
  if (typeof row.publicKeyVer === 'number') line2.append(h('span', { class: 'msg-keyver' }, t('Key v{0}', row.publicKeyVer)));
  const shownId = visibleText(row.msgid);
  line2.append(h('bdi', { class: 'msg-id', dir: 'ltr', title: shownId }, shownId));
  el.append(icon, h('div', { class: 'msg-main' }, line1, line2));
  if (opts.actions) el.append(actionBar(row, opts.actions));
  return el;
}
