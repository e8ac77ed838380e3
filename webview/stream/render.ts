// The list's elements: a message row (the shared renderer plus click-to-focus), a day separator,
// a gap band, a "loading" marker; and the per-render state of a row (focus, highlight, tab order).
import { codicon, h } from '../lib/dom';
import { localDateTime } from '../lib/format';
import { t } from '../lib/l10n';
import { renderMessage } from '../lib/row';
import type { StreamController } from './controller';
import type { Item } from './items';

export function createItem(item: Item, controller: () => StreamController): HTMLElement {
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
        actions: { hasViewer: controller().data.hasViewer, run: (msgid, action) => void controller().runAction(msgid, action) },
      });
      el.tabIndex = -1;
      el.addEventListener('click', () => {
        const c = controller();
        c.focused = item.row.msgid;
        c.list.refresh();
        el.focus({ preventScroll: true });
      });
      return el;
    }
  }
}

export function updateItem(el: HTMLElement, item: Item, c: StreamController): void {
  if (item.kind !== 'msg') return;
  const focused = c.focused === item.row.msgid;
  el.tabIndex = focused ? 0 : -1;
  el.classList.toggle('focused', focused);
  el.classList.toggle('highlight', c.highlighted === item.row.msgid);
  for (const b of el.querySelectorAll<HTMLButtonElement>('.msg-actions button')) b.tabIndex = focused ? 0 : -1;
}
