// A virtual list of items of known heights: only the items in view (plus a small overscan) exist
// in the DOM. Items are absolutely positioned in a spacer as tall as the whole list; positions are
// set through the CSSOM (element.style), which the strict CSP allows.

export interface VItem {
  /** Stable identity across re-renders (the element is kept while the key stays in view). */
  key: string;
  height: number;
}

export interface Anchor {
  key: string;
  /** Item top minus scrollTop when captured. */
  delta: number;
}

export interface VirtualListOptions<T extends VItem> {
  create(item: T): HTMLElement;
  /** Called on every render for every element in view (focus, highlight, tabindex). */
  update?(el: HTMLElement, item: T, index: number): void;
  /** Extra pixels rendered above and below the viewport. */
  overscanPx?: number;
  onRender?(): void;
}

export class VirtualList<T extends VItem> {
  readonly spacer: HTMLElement;
  private items: T[] = [];
  private offsets: number[] = [0];
  private readonly indexByKey = new Map<string, number>();
  private readonly live = new Map<string, HTMLElement>();
  private readonly overscan: number;

  constructor(
    readonly viewport: HTMLElement,
    private readonly opts: VirtualListOptions<T>,
  ) {
    this.overscan = opts.overscanPx ?? 400;
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    this.spacer.setAttribute('role', 'presentation');
    viewport.append(this.spacer);
    viewport.addEventListener('scroll', () => this.render(), { passive: true });
    new ResizeObserver(() => this.render()).observe(viewport);
  }

  get length(): number {
    return this.items.length;
  }

  item(index: number): T | undefined {
    return this.items[index];
  }

  indexOf(key: string): number {
    return this.indexByKey.get(key) ?? -1;
  }

  offsetOf(index: number): number {
    return this.offsets[Math.max(0, Math.min(index, this.items.length))] ?? 0;
  }

  get totalHeight(): number {
    return this.offsets[this.items.length] ?? 0;
  }

  element(key: string): HTMLElement | undefined {
    return this.live.get(key);
  }

  /** The first item whose bottom is below the top of the viewport. */
  firstVisibleIndex(): number {
    return this.indexAt(this.viewport.scrollTop);
  }

  lastVisibleIndex(): number {
    return this.indexAt(this.viewport.scrollTop + this.viewport.clientHeight - 1);
  }

  /** Binary search: the item covering pixel y. */
  indexAt(y: number): number {
    const n = this.items.length;
    if (n === 0) return -1;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.offsets[mid] ?? 0) <= y) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  captureAnchor(): Anchor | undefined {
    const i = this.firstVisibleIndex();
    const item = this.items[i];
    if (!item) return undefined;
    return { key: item.key, delta: this.offsetOf(i) - this.viewport.scrollTop };
  }

  /**
   * Replaces the items. With an anchor, the anchored item stays where it was on screen (items
   * added or dropped above it do not move what the user looks at).
   */
  setItems(items: T[], anchor?: Anchor): void {
    this.items = items;
    this.offsets = new Array<number>(items.length + 1);
    this.indexByKey.clear();
    let y = 0;
    for (let i = 0; i < items.length; i++) {
      this.offsets[i] = y;
      const it = items[i]!;
      this.indexByKey.set(it.key, i);
      y += it.height;
    }
    this.offsets[items.length] = y;
    this.spacer.style.height = `${y}px`;
    for (const [key, el] of this.live) {
      if (!this.indexByKey.has(key)) this.drop(key, el);
    }
    if (anchor) {
      const i = this.indexOf(anchor.key);
      if (i >= 0) this.viewport.scrollTop = this.offsetOf(i) - anchor.delta;
    }
    this.render();
  }

  scrollToTop(): void {
    this.viewport.scrollTop = 0;
    this.render();
  }

  scrollToBottom(): void {
    this.viewport.scrollTop = this.totalHeight;
    this.render();
  }

  isAtBottom(slackPx = 4): boolean {
    const v = this.viewport;
    return v.scrollHeight - v.scrollTop - v.clientHeight <= slackPx;
  }

  scrollToIndex(index: number, align: 'start' | 'center' | 'end' | 'nearest'): void {
    const item = this.items[index];
    if (!item) return;
    const top = this.offsetOf(index);
    const v = this.viewport;
    const h = v.clientHeight;
    let target = v.scrollTop;
    if (align === 'start') target = top;
    else if (align === 'end') target = top + item.height - h;
    else if (align === 'center') target = top - (h - item.height) / 2;
    else if (top < v.scrollTop) target = top;
    else if (top + item.height > v.scrollTop + h) target = top + item.height - h;
    v.scrollTop = Math.max(0, target);
    this.render();
  }

  /** Puts exactly the items in view (plus overscan) into the DOM. */
  render(): void {
    const v = this.viewport;
    const n = this.items.length;
    let from = 0;
    let to = -1;
    if (n > 0) {
      from = this.indexAt(Math.max(0, v.scrollTop - this.overscan));
      to = this.indexAt(v.scrollTop + v.clientHeight + this.overscan);
    }
    const keep = new Set<string>();
    for (let i = from; i <= to; i++) keep.add(this.items[i]!.key);
    for (const [key, el] of this.live) {
      if (!keep.has(key)) this.drop(key, el);
    }
    for (let i = from; i <= to; i++) {
      const item = this.items[i]!;
      let el = this.live.get(item.key);
      if (!el) {
        el = this.opts.create(item);
        el.classList.add('vlist-item');
        el.style.height = `${item.height}px`;
        this.live.set(item.key, el);
        this.spacer.append(el);
      }
      el.style.transform = `translateY(${this.offsets[i]}px)`;
      this.opts.update?.(el, item, i);
    }
    this.opts.onRender?.();
  }

  /** Re-runs `update` on the elements in view (after focus or highlight changed). */
  refresh(): void {
    for (const [key, el] of this.live) {
      const i = this.indexOf(key);
      const item = this.items[i];
      if (item) this.opts.update?.(el, item, i);
    }
  }

  private drop(key: string, el: HTMLElement): void {
    // Keep the keyboard in the list when the focused row scrolls out and is recycled.
    if (el.contains(document.activeElement)) this.viewport.focus({ preventScroll: true });
    el.remove();
    this.live.delete(key);
  }
}
