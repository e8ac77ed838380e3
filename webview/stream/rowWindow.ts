// The window of rows the stream holds: a bounded, contiguous slice of the chat paged in by keyset
// anchors, with whether each end is the chat's end. Pure state (no DOM, no requests), so its rules
// are unit-tested in plain Node; the controller asks it what to request and hands it the answers.
import type { MessageRow, StreamAnchor } from '../../src/shared/protocol';

/** Rows per request, the most rows kept in memory, and rows loaded on each side of a message. */
export const PAGE = 200;
export const MAX_ROWS = 2000;
export const AROUND = 100;

export type Direction = 'older' | 'newer';

export interface WindowContent {
  rows: MessageRow[];
  atStart: boolean;
  atEnd: boolean;
}

/** The window of the newest rows (a page asked with direction 'older' and no anchor). */
export function newestContent(rows: MessageRow[], page = PAGE): WindowContent {
  return { rows, atStart: rows.length < page, atEnd: true };
}

/** The window of the oldest rows (a page asked with direction 'newer' and no anchor). */
export function oldestContent(rows: MessageRow[], page = PAGE): WindowContent {
  return { rows, atStart: true, atEnd: rows.length < page };
}

/** The window around a message (`around` rows asked on each side), or undefined if the answer lacks it. */
export function aroundContent(rows: MessageRow[], msgid: string, around = AROUND): WindowContent | undefined {
  const at = rows.findIndex((r) => r.msgid === msgid);
  if (at < 0) return undefined;
  return { rows, atStart: at < around, atEnd: rows.length - at - 1 < around };
}

export class RowWindow {
  private content: WindowContent = { rows: [], atStart: true, atEnd: true };
  /** Bumped whenever the window is replaced: late answers of older requests are dropped. */
  private generation = 0;
  /** A load is in flight (the newest replace, or an extend of the current window). */
  private loading = false;

  constructor(
    readonly page = PAGE,
    readonly maxRows = MAX_ROWS,
  ) {}

  get rows(): readonly MessageRow[] {
    return this.content.rows;
  }
  get atStart(): boolean {
    return this.content.atStart;
  }
  get atEnd(): boolean {
    return this.content.atEnd;
  }
  get busy(): boolean {
    return this.loading;
  }
  /** The window as it is now (to keep it when a jump finds nothing). */
  snapshot(): WindowContent {
    return { ...this.content, rows: [...this.content.rows] };
  }

  /** A replace of the whole window starts; it supersedes every load in flight. Returns its ticket. */
  beginReplace(): number {
    this.loading = true;
    return ++this.generation;
  }

  /** Whether a load's answer still belongs to the window (no replace started since). */
  isCurrent(ticket: number): boolean {
    return ticket === this.generation;
  }

  /** The replace's answer; false (and nothing changes) when a newer replace superseded it. */
  replace(ticket: number, content: WindowContent): boolean {
    if (!this.isCurrent(ticket)) return false;
    this.content = { ...content, rows: [...content.rows] };
    return true;
  }

  /** A load ended (answered or failed): only the current one frees the window for the next. */
  end(ticket: number): void {
    if (this.isCurrent(ticket)) this.loading = false;
  }

  /**
   * An extend at one end may start: not while a load runs, not on an empty window, not past the
   * chat's end. Returns its ticket and the anchor to page from, or undefined.
   */
  beginExtend(direction: Direction): { ticket: number; from: StreamAnchor } | undefined {
    const rows = this.content.rows;
    if (this.loading || rows.length === 0) return undefined;
    if (direction === 'older' ? this.content.atStart : this.content.atEnd) return undefined;
    const edge = direction === 'older' ? rows[0]! : rows[rows.length - 1]!;
    this.loading = true;
    return { ticket: this.generation, from: { sendTime: edge.sendTime, msgid: edge.msgid } };
  }

  /**
   * Adds an extend's page at its end (rows already held are skipped), and trims the far end to
   * maxRows, which is then no longer the chat's end. Returns how many rows were new (0 if stale).
   */
  extend(ticket: number, direction: Direction, page: readonly MessageRow[]): number {
    if (!this.isCurrent(ticket)) return 0;
    const known = new Set(this.content.rows.map((r) => r.msgid));
    const fresh = page.filter((r) => !known.has(r.msgid));
    const c = this.content;
    if (direction === 'older') {
      c.rows = fresh.concat(c.rows);
      c.atStart = page.length < this.page;
      if (c.rows.length > this.maxRows) {
        c.rows = c.rows.slice(0, this.maxRows);
        c.atEnd = false;
      }
    } else {
      c.rows = c.rows.concat(fresh);
      c.atEnd = page.length < this.page;
      if (c.rows.length > this.maxRows) {
        c.rows = c.rows.slice(c.rows.length - this.maxRows);
        c.atStart = false;
      }
    }
    return fresh.length;
  }

  /** Messages newer than the window arrived: its newest row is no longer the chat's end. */
  newerArrived(): void {
    this.content.atEnd = false;
  }
}
