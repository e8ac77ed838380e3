// An in-page fake host for tier-2 tests and the benchmark: answers the webview's requests from a
// synthetic chat (or given rows) with zero latency, and sends `init` after `ready`.
// `installFakeHost` is serialized into the page by Playwright: it must not use anything from outside.
import type { HostToWebview, InitMessage, MessageRow, PartyView, RequestMap, SearchFormState, StreamFilter, WebviewToHost } from '../../src/shared/protocol';

export interface FakeHostConfig {
  /** Sent when the webview says ready. */
  init: InitMessage;
  /** Explicit rows (ascending); otherwise `total` synthetic rows. */
  rows?: MessageRow[];
  total?: number;
  /** Unix seconds of synthetic row 0, and seconds between rows. */
  baseTime?: number;
  step?: number;
  /** Search: how many hits in all; every Nth hit has no local row. */
  searchTotal?: number;
  missingEvery?: number;
  /** The msgid prefix of hits with no local row. */
  missingPrefix?: string;
  /** Extra latency per answer (ms); 0 = next task. */
  latencyMs?: number;
}

export interface FakeHostStats {
  requests: Record<string, number>;
  initSentAt: number;
  firstRowAt: number;
  maxRows: number;
}

export function installFakeHost(cfg: FakeHostConfig): void {
  const w = window as unknown as Record<string, unknown>;
  const stats: FakeHostStats = { requests: {}, initSentAt: 0, firstRowAt: 0, maxRows: 0 };
  w.__fakeStats = stats;
  const base = cfg.baseTime ?? 1_700_000_000;
  const step = cfg.step ?? 37;
  const explicit = cfg.rows;
  let total = explicit ? explicit.length : (cfg.total ?? 1000);
  const pad = (i: number) => String(i).padStart(7, '0');
  const TYPES = [1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 1, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 99, 0];
  const senders: PartyView[] = [
    { type: 1, id: 'woAlice', name: 'Alice' },
    { type: 2, id: 'wmBob', name: 'Bob' },
    { type: 1, id: 'woCarol' },
    { type: 3, id: 'wbRobot', name: 'Robot' },
  ];
  const synth = (i: number): MessageRow => {
    const msgtype = TYPES[i % TYPES.length]!;
    const sender = senders[i % senders.length]!;
    const row: MessageRow = {
      msgid: `msg-${pad(i)}`,
      sendTime: base + i * step,
      msgtype,
      sender,
      receivers: senders.filter((s) => s !== sender).slice(0, 2),
      receiverCount: i % 5 === 0 ? 25 : 2,
      chatKey: 'group:wrChat',
      chatid: 'wrChat',
    };
    if (msgtype === 21 || msgtype === 22) row.callDuration = 3903;
    return row;
  };
  const rowAt = (i: number): MessageRow => (explicit ? explicit[i]! : synth(i));
  const timeAt = (i: number): number => rowAt(i).sendTime;
  const indexOf = (msgid: string): number => {
    if (explicit) return explicit.findIndex((r) => r.msgid === msgid);
    const m = /^msg-(\d{7})$/.exec(msgid);
    const i = m ? Number(m[1]) : -1;
    return i >= 0 && i < total ? i : -1;
  };
  // Filtered view: a list of row indices (cached per filter).
  let cacheKey = '';
  let cache: number[] | null = null;
  /** Test hook: n more synthetic messages arrive. */
  w.__fakeGrow = (n: number) => {
    total += n;
    cacheKey = '';
  };
  const view = (f: StreamFilter): number[] | null => {
    const types = f.msgtypes ?? [];
    if (types.length === 0 && !f.sender) return null;
    const key = JSON.stringify([types, f.sender ?? '']);
    if (key === cacheKey && cache) return cache;
    const out: number[] = [];
    for (let i = 0; i < total; i++) {
      const r = rowAt(i);
      if (types.length > 0 && !types.includes(r.msgtype)) continue;
      if (f.sender && r.sender.id !== f.sender) continue;
      out.push(i);
    }
    cacheKey = key;
    cache = out;
    return out;
  };
  const len = (v: number[] | null) => (v ? v.length : total);
  const at = (v: number[] | null, k: number) => (v ? v[k]! : k);
  /** Position of row index i in the view (or where it would be inserted). */
  const posOf = (v: number[] | null, i: number): number => {
    if (!v) return i;
    let lo = 0;
    let hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v[mid]! < i) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const slice = (v: number[] | null, from: number, to: number): MessageRow[] => {
    const out: MessageRow[] = [];
    for (let k = Math.max(0, from); k < Math.min(len(v), to); k++) out.push(rowAt(at(v, k)));
    return out;
  };

  let searchCursor = 0;
  let searchForm: SearchFormState | null = null;
  type Params<M extends keyof RequestMap> = RequestMap[M]['params'];
  const handle = (method: string, params: unknown): unknown => {
    switch (method) {
      case 'stream.page': {
        const p = params as Params<'stream.page'>;
        const v = view(p.filter);
        const n = len(v);
        if (p.direction === 'older') {
          const end = p.from ? posOf(v, indexOf(p.from.msgid)) : n;
          return { rows: slice(v, end - p.limit, end) };
        }
        const start = p.from ? posOf(v, indexOf(p.from.msgid)) + 1 : 0;
        return { rows: slice(v, start, start + p.limit) };
      }
      case 'stream.locate': {
        const p = params as Params<'stream.locate'>;
        const v = view(p.filter);
        let lo = 0;
        let hi = len(v);
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (timeAt(at(v, mid)) < p.sendTime) lo = mid + 1;
          else hi = mid;
        }
        if (lo >= len(v)) return {};
        const r = rowAt(at(v, lo));
        return { anchor: { sendTime: r.sendTime, msgid: r.msgid } };
      }
      case 'stream.around': {
        const p = params as Params<'stream.around'>;
        const v = view(p.filter);
        const i = indexOf(p.msgid);
        if (i < 0) return { rows: [] };
        const k = posOf(v, i);
        if (v && v[k] !== i) return { rows: [] };
        return { rows: slice(v, k - p.before, k + p.after + 1) };
      }
      case 'stream.senders': {
        const counts = new Map<string, number>();
        for (let i = 0; i < Math.min(total, 5000); i++) counts.set(rowAt(i).sender.id, (counts.get(rowAt(i).sender.id) ?? 0) + 1);
        const seen = new Map<string, PartyView>();
        for (let i = 0; i < Math.min(total, 5000); i++) seen.set(rowAt(i).sender.id, rowAt(i).sender);
        return { senders: [...seen.values()].map((s) => ({ ...s, count: counts.get(s.id) ?? 0 })) };
      }
      case 'stream.setFilter':
        return { total: len(view((params as Params<'stream.setFilter'>).filter)) };
      case 'message.action': {
        const p = params as Params<'message.action'>;
        return { done: true, message: `host did ${p.action} for ${p.msgid}` };
      }
      case 'search.run': {
        const p = params as Params<'search.run'>;
        if (!p.more) {
          searchCursor = 0;
          searchForm = p.form;
        }
        const limit = Number((searchForm ?? p.form).limit) || 50;
        const all = cfg.searchTotal ?? 0;
        const hits = [];
        for (let k = searchCursor; k < Math.min(all, searchCursor + limit); k++) {
          const i = total - 1 - k * 3;
          if (cfg.missingEvery && k % cfg.missingEvery === cfg.missingEvery - 1) hits.push({ msgid: `${cfg.missingPrefix ?? 'gone-'}${k}` });
          else if (i >= 0) hits.push({ msgid: rowAt(i).msgid, row: rowAt(i) });
        }
        searchCursor += hits.length;
        return { hits, hasMore: searchCursor < all, loaded: searchCursor };
      }
      case 'search.openHit':
        return { opened: true, message: `opened ${(params as Params<'search.openHit'>).msgid}` };
      case 'search.export':
        return { done: true, message: `exported ${(params as Params<'search.export'>).format}` };
      default:
        throw new Error(`unknown method ${method}`);
    }
  };
  const send = (m: HostToWebview) => {
    if (cfg.latencyMs) setTimeout(() => window.postMessage(m, '*'), cfg.latencyMs);
    else window.postMessage(m, '*');
  };
  w.__onPosted = (m: WebviewToHost) => {
    if (m.kind === 'ready') {
      stats.initSentAt = performance.now();
      send(cfg.init);
      return;
    }
    stats.requests[m.method] = (stats.requests[m.method] ?? 0) + 1;
    try {
      send({ kind: 'response', id: m.id, ok: true, result: handle(m.method, m.params) as never });
    } catch (e) {
      send({ kind: 'response', id: m.id, ok: false, code: 'failed', error: String(e) });
    }
  };
  // When the first row appears, and the most rows ever in the DOM at once.
  let sawFirst = false;
  const observe = () => {
    new MutationObserver(() => {
      const n = document.getElementsByClassName('msg').length;
      if (n > 0 && !sawFirst) {
        sawFirst = true;
        requestAnimationFrame(() => {
          stats.firstRowAt = performance.now();
        });
      }
      if (n > stats.maxRows) stats.maxRows = n;
    }).observe(document, { childList: true, subtree: true });
  };
  observe();
}
