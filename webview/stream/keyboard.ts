// The stream's keys: arrows and Page Up/Down move the focused row (paging the window in at its
// edges), Home/End jump to the chat's ends, Enter shows the raw JSON, Esc clears focus, then filters.
import type { StreamController } from './controller';
import { HEIGHT } from './items';

/** Moves the focus `by` message rows; past the window's edge it pages in more and goes on. */
export async function moveFocus(c: StreamController, by: number): Promise<void> {
  const step: 1 | -1 = by > 0 ? 1 : -1;
  const list = c.list;
  const cur = c.focusedIndex();
  if (cur < 0) {
    const i = c.msgIndex(Math.max(0, step > 0 ? list.firstVisibleIndex() : list.lastVisibleIndex()), step);
    if (i >= 0) c.focusIndex(i);
    return;
  }
  let target = cur;
  let left = Math.abs(by);
  for (let i = cur + step; left > 0 && i >= 0 && i < list.length; i += step) {
    if (list.item(i)?.kind === 'msg') {
      target = i;
      left--;
    }
  }
  c.focusIndex(target);
  if (left > 0 && !(step > 0 ? c.window.atEnd : c.window.atStart)) {
    // At the window's edge: page in more, then go on from the row reached.
    await c.idle();
    const n = await c.extend(step > 0 ? 'newer' : 'older');
    if (n > 0) await moveFocus(c, step * left);
  }
}

export function onKey(c: StreamController, e: KeyboardEvent): void {
  const target = e.target as HTMLElement;
  const inRowOrList = target === c.list.viewport || target.classList.contains('msg');
  switch (e.key) {
    case 'ArrowDown':
      e.preventDefault();
      void moveFocus(c, 1);
      break;
    case 'ArrowUp':
      e.preventDefault();
      void moveFocus(c, -1);
      break;
    case 'PageDown':
    case 'PageUp': {
      e.preventDefault();
      const n = Math.max(1, Math.floor(c.list.viewport.clientHeight / HEIGHT.msg) - 1);
      void moveFocus(c, e.key === 'PageDown' ? n : -n);
      break;
    }
    case 'Home':
      e.preventDefault();
      void c.jumpFirst(true);
      break;
    case 'End':
      e.preventDefault();
      void c.jumpLast(true);
      break;
    case 'Enter':
      if (inRowOrList && c.focused) {
        e.preventDefault();
        void c.runAction(c.focused, 'showRaw');
      }
      break;
    case 'Escape':
      e.preventDefault();
      c.clearSelectionOrFilters();
      break;
  }
}
