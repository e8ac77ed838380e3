// A host in the test process for tier 2: every message the webview posts goes through the real
// checker and dispatcher (src/host/panels/dispatch.ts), with handlers over an in-memory chat, and the
// answers go back into the page. So a request the real host would refuse is refused here too.
import type { Page } from 'playwright-core';
import { type RequestHandlers, createDispatcher } from '../../src/host/panels/dispatch';
import type { HostToWebview, InitMessage, MessageRow, SearchHit, StreamFilter } from '../../src/shared/protocol';
import { type OpenOptions, type WebviewPage, openWebview } from '../harness/webviewPage';

export interface NodeHostLog {
  /** Every request the webview posted, by id. */
  requests: Map<number, { method: string; params: unknown }>;
  /** Every response sent, by id (a list, so a second answer shows). */
  responses: Map<number, HostToWebview[]>;
  actions: string[];
}

export interface NodeHosted extends WebviewPage {
  log: NodeHostLog;
  /** Resolves when every request posted so far has its answer. */
  settled(timeoutMs?: number): Promise<void>;
}

/** In-memory handlers over one chat's rows (ascending), keyset-paged like the archive. */
export function chatHandlers(rows: readonly MessageRow[], hits: SearchHit[], log: NodeHostLog): RequestHandlers {
  const view = (f: StreamFilter) =>
    rows.filter((r) => (!f.msgtypes?.length || f.msgtypes.includes(r.msgtype)) && (f.sender === undefined || r.sender.id === f.sender));
  let searchAt = 0;
  return {
    'stream.page': async ({ direction, from, limit, filter }) => {
      const v = view(filter);
      const at = from ? v.findIndex((r) => r.msgid === from.msgid) : -1;
      if (direction === 'older') {
        const end = from ? Math.max(0, at) : v.length;
        return { rows: v.slice(Math.max(0, end - limit), end) };
      }
      const start = from ? at + 1 : 0;
      return { rows: v.slice(start, start + limit) };
    },
    'stream.locate': async ({ sendTime, filter }) => {
      const r = view(filter).find((x) => x.sendTime >= sendTime);
      return { anchor: r ? { sendTime: r.sendTime, msgid: r.msgid } : undefined };
    },
    'stream.around': async ({ msgid, before, after, filter }) => {
      const v = view(filter);
      const i = v.findIndex((r) => r.msgid === msgid);
      return { rows: i < 0 ? [] : v.slice(Math.max(0, i - before), i + after + 1) };
    },
    'stream.senders': async () => {
      const counts = new Map<string, { type: number; id: string; count: number }>();
      for (const r of rows) counts.set(r.sender.id, { type: r.sender.type, id: r.sender.id, count: (counts.get(r.sender.id)?.count ?? 0) + 1 });
      return { senders: [...counts.values()] };
    },
    'stream.setFilter': async ({ filter }) => ({ total: view(filter).length }),
    'message.action': async ({ msgid, action }) => {
      if (!rows.some((r) => r.msgid === msgid)) return { done: false, message: 'not in this chat' };
      log.actions.push(`${action} ${msgid}`);
      return { done: true, message: `did ${action}` };
    },
    'search.run': async ({ more }) => {
      if (!more) searchAt = 0;
      const page = hits.slice(searchAt, searchAt + 4);
      searchAt += page.length;
      return { hits: page, hasMore: searchAt < hits.length, loaded: searchAt };
    },
    'search.openHit': async ({ msgid }) => {
      log.actions.push(`open ${msgid}`);
      return hits.some((h) => h.msgid === msgid && h.row) ? { opened: true } : { opened: false, message: 'not in the archive' };
    },
    'search.export': async ({ format }) => {
      log.actions.push(`export ${format}`);
      return { done: true, message: `exported ${format}` };
    },
  };
}

export async function openWithNodeHost(bundle: string, init: InitMessage, handlers: (log: NodeHostLog) => RequestHandlers, opts: Omit<OpenOptions, 'bundle' | 'expose' | 'initScript'> = {}): Promise<NodeHosted> {
  const log: NodeHostLog = { requests: new Map(), responses: new Map(), actions: [] };
  let page: Page | undefined;
  const queue: HostToWebview[] = [];
  const deliver = async (m: HostToWebview) => {
    if (!page) {
      queue.push(m);
      return;
    }
    await page.evaluate((msg) => window.postMessage(msg, '*'), m);
  };
  const dispatch = createDispatcher({
    makeInit: () => init,
    handlers: handlers(log),
    send: (m) => {
      if (m.kind === 'response') log.responses.set(m.id, [...(log.responses.get(m.id) ?? []), m]);
      void deliver(m);
    },
    refusedText: (rule) => `refused: ${rule}`,
    describeError: (e) => String(e),
    warn: () => {},
  });
  const wv = await openWebview({
    ...opts,
    bundle,
    expose: {
      __toHost: (m: unknown) => {
        const r = m as { kind?: string; id?: number; method?: string; params?: unknown };
        if (r.kind === 'request' && typeof r.id === 'number') log.requests.set(r.id, { method: String(r.method), params: r.params });
        void dispatch(m);
      },
    },
    initScript: {
      fn: (() => {
        const w = window as unknown as Record<string, unknown>;
        w.__onPosted = (m: unknown) => (w.__toHost as (x: unknown) => void)(m);
      }) as (arg: never) => void,
      arg: null,
    },
  });
  page = wv.page;
  for (const m of queue.splice(0)) await deliver(m);
  return {
    ...wv,
    log,
    settled: async (timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while ([...log.requests.keys()].some((id) => !log.responses.has(id))) {
        if (Date.now() > deadline) throw new Error(`unanswered requests: ${[...log.requests].filter(([id]) => !log.responses.has(id)).map(([id, r]) => `${id} ${r.method}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
