// The stream's behaviour: loads the window of rows from the host (jumps, edges, new messages,
// filters), keeps focus and highlight, and tells the list and the toolbar what to show.
// The rules of the window itself are RowWindow's; the keys are keyboard.ts's; DOM is render.ts's.
import type { MessageRow, StreamFilter, StreamInit } from '../../src/shared/protocol';
import { t } from '../lib/l10n';
import { request } from '../lib/host';
import type { MessageAction } from '../lib/row';
import { type Item, type MsgItem, buildItems, msgKey } from './items';
import { AROUND, type Direction, RowWindow, type WindowContent, aroundContent, newestContent, oldestContent } from './rowWindow';
import type { Anchor, VirtualList } from './virtualList';

/** How close (px) to an end of the window loading more starts. */
const EDGE_PX = 1500;

/** What the controller shows outside the list (the toolbar, the new-messages pill, the status line). */
export interface StreamUi {
  setStatus(text: string): void;
  showTotal(total: number, atLeast?: boolean): void;
  showNewCount(count: number): void;
  showFilter(filter: StreamFilter): void;
}

export const hasFilter = (f: StreamFilter): boolean => (f.msgtypes?.length ?? 0) > 0 || Boolean(f.sender);

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class StreamController {
  filter: StreamFilter;
  readonly window = new RowWindow();
  /** The load in flight, if any (moveFocus waits for it before paging further). */
  private pending?: Promise<unknown>;
  focused?: string;
  highlighted?: string;
  /** Set while Esc moves focus to the list, so the list does not pick a row again. */
  keepUnfocused = false;
  /** Messages in the chat (stream.appended counts these, whatever the filter). */
  private knownTotal: number;
  private newCount = 0;

  constructor(
    readonly data: StreamInit,
    readonly list: VirtualList<Item>,
    private readonly ui: StreamUi,
  ) {
    this.filter = { ...data.filter };
    this.knownTotal = data.chatTotal ?? data.total;
  }

  get rows(): readonly MessageRow[] {
    return this.window.rows;
  }

  // ---------------------------------------------------------------- the window of rows

  private applyRows(anchor?: Anchor): void {
    this.list.setItems(buildItems(this.window, this.data.gaps), anchor);
    this.list.viewport.setAttribute('aria-busy', 'false');
    this.list.viewport.classList.toggle('empty', this.window.rows.length === 0);
  }

  /** Waits until no load runs. */
  async idle(): Promise<void> {
    while (this.window.busy && this.pending) await this.pending.catch(() => undefined);
  }

  /** Replaces the whole window (jumps, filters, first load). */
  private async replaceWindow(load: () => Promise<WindowContent>): Promise<boolean> {
    const ticket = this.window.beginReplace();
    this.list.viewport.setAttribute('aria-busy', 'true');
    try {
      const p = load();
      this.pending = p;
      if (!this.window.replace(ticket, await p)) return false;
      this.applyRows();
      return true;
    } catch (e) {
      if (this.window.isCurrent(ticket)) this.ui.setStatus(t('Could not load messages: {0}', errorText(e)));
      return false;
    } finally {
      this.window.end(ticket);
    }
  }

  async jumpLast(focus = false): Promise<void> {
    const ok = await this.replaceWindow(async () => {
      const { rows } = await request('stream.page', { direction: 'older', limit: this.window.page, filter: this.filter });
      return newestContent(rows, this.window.page);
    });
    if (!ok) return;
    this.newCount = 0;
    this.ui.showNewCount(0);
    this.list.scrollToBottom();
    if (focus) this.focusIndex(this.lastMsgIndex());
    this.checkEdges();
  }

  async jumpFirst(focus = false): Promise<void> {
    const ok = await this.replaceWindow(async () => {
      const { rows } = await request('stream.page', { direction: 'newer', limit: this.window.page, filter: this.filter });
      return oldestContent(rows, this.window.page);
    });
    if (!ok) return;
    this.list.scrollToTop();
    if (focus) this.focusIndex(this.firstMsgIndex());
    this.checkEdges();
  }

  /** Loads rows around a message, scrolls it to the middle and (optionally) highlights it. */
  async loadAround(msgid: string, highlight: boolean): Promise<boolean> {
    let found = false;
    const ok = await this.replaceWindow(async () => {
      const { rows } = await request('stream.around', { msgid, before: AROUND, after: AROUND, filter: this.filter });
      const around = aroundContent(rows, msgid);
      found = around !== undefined;
      // Not in the archive (or filtered out): keep the current window.
      return around ?? this.window.snapshot();
    });
    if (!ok) return false;
    if (!found) {
      this.ui.setStatus(t('That message is not in the local archive.'));
      return false;
    }
    if (highlight) this.highlighted = msgid;
    const i = this.list.indexOf(msgKey(msgid));
    this.list.scrollToIndex(i, 'center');
    this.focusIndex(i);
    this.checkEdges();
    return true;
  }

  async jumpDate(sendTime: number): Promise<void> {
    try {
      const { anchor } = await request('stream.locate', { sendTime, filter: this.filter });
      if (anchor) await this.loadAround(anchor.msgid, false);
      else await this.jumpLast(true);
    } catch (e) {
      this.ui.setStatus(t('Could not load messages: {0}', errorText(e)));
    }
  }

  /** Grows the window at one end (RowWindow trims the far end). Returns how many rows were new. */
  async extend(direction: Direction): Promise<number> {
    const start = this.window.beginExtend(direction);
    if (!start) return 0;
    try {
      const p = request('stream.page', { direction, from: start.from, limit: this.window.page, filter: this.filter });
      this.pending = p;
      const { rows } = await p;
      if (!this.window.isCurrent(start.ticket)) return 0;
      const anchor = this.list.captureAnchor();
      const fresh = this.window.extend(start.ticket, direction, rows);
      this.applyRows(anchor);
      return fresh;
    } catch (e) {
      this.ui.setStatus(t('Could not load messages: {0}', errorText(e)));
      return 0;
    } finally {
      this.window.end(start.ticket);
    }
  }

  /** Loads more when the viewport is near an end of the window. */
  checkEdges(): void {
    if (this.window.busy) return;
    const vp = this.list.viewport;
    if (!this.window.atStart && vp.scrollTop < EDGE_PX) {
      void this.extend('older').then((n) => n > 0 && this.checkEdges());
    } else if (!this.window.atEnd && vp.scrollHeight - vp.scrollTop - vp.clientHeight < EDGE_PX) {
      void this.extend('newer').then((n) => n > 0 && this.checkEdges());
    }
    if (this.window.atEnd && this.list.isAtBottom() && this.newCount > 0) {
      this.newCount = 0;
      this.ui.showNewCount(0);
    }
  }

  /** New messages were stored: follow them at the bottom, else count them on the pill. */
  async onAppended(total: number): Promise<void> {
    const added = Math.max(0, total - this.knownTotal);
    this.knownTotal = total;
    if (added === 0) return;
    // Without a filter the header counts the chat; with one, its count comes from stream.setFilter.
    if (!hasFilter(this.filter)) this.ui.showTotal(total);
    if (this.window.atEnd && this.list.isAtBottom() && !this.window.busy) {
      this.window.newerArrived();
      let n = 0;
      do n = await this.extend('newer');
      while (n >= this.window.page && !this.window.atEnd);
      this.list.scrollToBottom();
      return;
    }
    this.window.newerArrived();
    this.applyRows(this.list.captureAnchor());
    this.newCount += added;
    this.ui.showNewCount(this.newCount);
  }

  // ---------------------------------------------------------------- filters

  async setFilter(filter: StreamFilter): Promise<void> {
    this.filter = filter;
    this.ui.showFilter(filter);
    try {
      const { total, atLeast } = await request('stream.setFilter', { filter });
      this.ui.showTotal(total, atLeast);
    } catch (e) {
      this.ui.setStatus(t('Could not load messages: {0}', errorText(e)));
    }
    this.focused = undefined;
    this.highlighted = undefined;
    await this.jumpLast();
  }

  /** Esc: first drops the focus and highlight, then the filters. */
  clearSelectionOrFilters(): void {
    if (this.highlighted || this.focused) {
      this.highlighted = undefined;
      this.focused = undefined;
      this.list.refresh();
      this.keepUnfocused = true;
      this.list.viewport.focus({ preventScroll: true });
      this.keepUnfocused = false;
      return;
    }
    if (hasFilter(this.filter)) void this.setFilter({});
  }

  // ---------------------------------------------------------------- focus

  /** The first message item from `from` on in direction `step`, or -1. */
  msgIndex(from: number, step: 1 | -1): number {
    for (let i = from; i >= 0 && i < this.list.length; i += step) if (this.list.item(i)?.kind === 'msg') return i;
    return -1;
  }
  firstMsgIndex(): number {
    return this.msgIndex(0, 1);
  }
  lastMsgIndex(): number {
    return this.msgIndex(this.list.length - 1, -1);
  }

  focusedIndex(): number {
    return this.focused ? this.list.indexOf(msgKey(this.focused)) : -1;
  }

  focusIndex(index: number): void {
    const item = this.list.item(index);
    if (item?.kind !== 'msg') return;
    this.focused = item.row.msgid;
    this.list.scrollToIndex(index, 'nearest');
    this.list.refresh();
    this.list.element(item.key)?.focus({ preventScroll: true });
  }

  /** The list got the focus with no row focused: the first row in view becomes the focused one. */
  focusFirstVisible(): void {
    if (this.focused || this.keepUnfocused) return;
    const first = this.msgIndex(Math.max(0, this.list.firstVisibleIndex()), 1);
    if (first < 0) return;
    this.focused = (this.list.item(first) as MsgItem).row.msgid;
    this.list.refresh();
  }

  // ---------------------------------------------------------------- row actions

  async runAction(msgid: string, action: MessageAction): Promise<void> {
    try {
      const r = await request('message.action', { msgid, action });
      if (r.message) this.ui.setStatus(r.message);
    } catch (e) {
      this.ui.setStatus(t('The action failed: {0}', errorText(e)));
    }
  }
}
