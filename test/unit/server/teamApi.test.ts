/**
 * The team API over real archives (SQLite, filled by the sync engine from the simulator's two
 * corps) and a real HTTP server on 127.0.0.1: scope (a key of corp A gets 403 and no data for B),
 * the audit log, keyset paging that returns every message once, hostile ids as query values,
 * search through an injected search_msg, and `stored` events. Then the extension's client of it
 * (TeamArchive) answers every Archive read exactly as the archive the service reads.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Archive, openArchive } from '../../../src/core/archive/archive';
import { SyncEngine } from '../../../src/core/archive/sync';
import { ArchiveError, errorPhrase } from '../../../src/core/archive/errors';
import { toRow } from '../../../src/core/archive/messageRows';
import { listTeamCorps, TeamArchive } from '../../../src/core/archive/teamArchive';
import { type ExportItem, toCsv, toJson } from '../../../src/shared/exportRows';
import { english } from '../../../src/shared/text';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator';
import { WeComClient } from '../../../src/core/wecom/client';
import { HashedKeyStore, newApiKey } from '../../../src/server/team/apiKeys';
import { FileAuditLog } from '../../../src/server/team/auditLog';
import { TeamApi } from '../../../src/server/team/teamApi';
import { buildBundles, simTokenSource, tempDir } from '../archive/helpers';

interface Json {
  [key: string]: unknown;
}

describe('team API', () => {
  let sim: RunningSimulator;
  const archives = new Map<string, Archive>();
  let server: Server;
  let base = '';
  let api: TeamApi;
  const dir = tempDir('team-api-');
  const audit = new FileAuditLog(join(dir, 'audit.jsonl'));
  const keys = new HashedKeyStore();
  const keyA = newApiKey();
  const keyAll = newApiKey();
  const adminKey = newApiKey();
  let corpA = '';
  let corpB = '';

  const call = async (key: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> => {
    const res = await fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Json };
  };

  before(async () => {
    const { worker } = await buildBundles();
    // Two days of history: a sync without a cursor starts 3 days back, so it gets every message.
    sim = await startSimulator({ corps: 2, messages: 400, days: 2, seed: 11 });
    [corpA, corpB] = sim.corps.map((c) => c.corpId) as [string, string];
    for (const corp of sim.corps) {
      const archive = await openArchive(join(dir, `${corp.corpId}.sqlite`), { workerPath: worker });
      const client = new WeComClient({ tokenSource: { ...simTokenSource(sim), getToken: async () => corp.accessToken }, baseUrl: sim.url });
      await new SyncEngine(archive, client, { owner: 'team-test' }).run();
      archives.set(corp.corpId, archive);
    }
    keys.add(keyA, { user: 'alice', corps: [corpA], admin: false });
    keys.add(keyAll, { user: 'bob', corps: ['*'], admin: false });
    keys.add(adminKey, { user: 'root', corps: [], admin: true });
    api = new TeamApi({
      keys,
      audit,
      corps: () => [...archives.keys()],
      archive: (c) => archives.get(c),
      search: async (_corp, request) => {
        // Stands in for search_msg: the newest messages of corp A whose raw JSON has the word.
        const all = sim.corps[0]!.listMessages();
        const hits = all.filter((m) => JSON.stringify(m).includes(request.query_word)).reverse().slice(0, 5);
        return { msgids: [...hits.map((m) => m.msgid), 'older-than-the-archive'], nextCursor: '', hasMore: false };
      },
    });
    server = createServer((req, res) => {
      if (!api.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'))) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    api.close();
    await new Promise<void>((r) => server.close(() => r()));
    for (const a of archives.values()) await a.close();
    await sim.close();
  });

  it('refuses a request without a valid key, before any data', async () => {
    for (const key of ['', 'wca_not-a-key']) {
      const r = await call(key, `/v1/chats?corp=${corpA}&kind=group`);
      assert.equal(r.status, 401);
      assert.equal((r.json.error as Json).code, 'auth.key');
    }
  });

  it('a key scoped to corp A gets 403 and no data for corp B; the refusal is audited', async () => {
    const r = await call(keyA, `/v1/chats?corp=${corpB}&kind=group`);
    assert.equal(r.status, 403);
    assert.equal(r.json.chats, undefined);
    const corps = await call(keyA, '/v1/corps');
    assert.deepEqual((corps.json.corps as Json[]).map((c) => c.corpId), [corpA]);
    assert.ok(audit.recent(50).some((e) => e.user === 'alice' && e.action === 'chats.denied' && e.corpId === corpB));
  });

  it('pages every message of every chat exactly once (keyset), and matches the simulator', async () => {
    for (const [i, corpId] of [corpA, corpB].entries()) {
      const seen = new Set<string>();
      for (const kind of ['group', 'single']) {
        let after = '';
        for (;;) {
          const chats = await call(keyAll, `/v1/chats?corp=${corpId}&kind=${kind}&limit=7${after}`);
          assert.equal(chats.status, 200);
          for (const chat of chats.json.chats as Array<{ key: string }>) {
            let from = '';
            for (;;) {
              const page = await call(keyAll, `/v1/messages?corp=${corpId}&chat=${encodeURIComponent(chat.key)}&direction=older&limit=50${from}`);
              const messages = page.json.messages as Array<{ chatKey: string; raw: { msgid: string; send_time: number } }>;
              for (const m of messages) {
                assert.equal(m.chatKey, chat.key);
                assert.ok(!seen.has(m.raw.msgid), `msgid ${m.raw.msgid} answered twice`);
                seen.add(m.raw.msgid);
              }
              if (messages.length < 50) break;
              const oldest = messages[0]!.raw;
              from = `&from_time=${oldest.send_time}&from_msgid=${encodeURIComponent(oldest.msgid)}`;
            }
          }
          const next = chats.json.next as { lastTime: number; key: string } | undefined;
          if (!next) break;
          after = `&after_time=${next.lastTime}&after_key=${encodeURIComponent(next.key)}`;
        }
      }
      const expected = new Set(sim.corps[i]!.listMessages().map((m) => m.msgid));
      assert.equal(seen.size, expected.size);
      for (const id of expected) assert.ok(seen.has(id));
    }
  });

  it('resolves msgids of any shape, says which are missing, and refuses more than 100', async () => {
    const known = sim.corps[0]!.listMessages().slice(0, 3).map((m) => m.msgid);
    const hostile = ['x'.repeat(2000), 'a/b?c=d&e#f', '\u0000\u202e<script>', '../../etc/passwd'];
    const r = await call(keyA, `/v1/resolve?corp=${corpA}`, { msgids: [...known, ...hostile] });
    assert.equal(r.status, 200);
    const found = r.json.found as Array<{ raw: { msgid: string } } | null>;
    assert.deepEqual(found.slice(0, 3).map((m) => m?.raw.msgid), known);
    assert.deepEqual(r.json.missing, hostile);
    const tooMany = await call(keyA, `/v1/resolve?corp=${corpA}`, { msgids: Array.from({ length: 101 }, (_, i) => String(i)) });
    assert.equal(tooMany.status, 400);
  });

  it('names the parameter rule it breaks, before any work', async () => {
    const cases: Array<[string, string]> = [
      [`/v1/chats?corp=${corpA}&kind=both`, 'param.enum'],
      [`/v1/chats?corp=${corpA}&kind=group&limit=0`, 'param.range'],
      [`/v1/messages?corp=${corpA}`, 'param.required'],
      [`/v1/messages?corp=${corpA}&chat=x&from_time=abc&from_msgid=y`, 'param.number'],
      [`/v1/chats?corp=nobody&kind=group`, 'corp.unknown'],
      ['/v1/nothing', 'route.unknown'],
    ];
    for (const [path, code] of cases) {
      const r = await call(keyAll, path);
      assert.equal((r.json.error as Json | undefined)?.code, code, path);
    }
  });

  it('search: rules checked first; hits resolved from the archive, one older than the archive listed as such', async () => {
    const bad = await call(keyA, `/v1/search?corp=${corpA}`, { query_word: 'x' });
    assert.equal(bad.status, 400);
    assert.deepEqual((bad.json.error as { rules: Json[] }).rules.map((v) => v.rule), ['query_word.min_chars']);
    const r = await call(keyA, `/v1/search?corp=${corpA}`, { query_word: 'msgtype' });
    assert.equal(r.status, 200);
    const hits = r.json.hits as Array<{ msgid: string; message: unknown }>;
    assert.equal(hits.length, 6);
    assert.ok(hits.slice(0, 5).every((h) => h.message !== null));
    assert.deepEqual(hits[5], { msgid: 'older-than-the-archive', message: null });
  });

  it('streams `stored` events to the corp they concern only', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/v1/events?corp=${corpA}`, { headers: { authorization: `Bearer ${keyAll}` }, signal: controller.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    api.stored({ corpId: corpB, inserted: 1, changedChats: ['g:b'] });
    api.stored({ corpId: corpA, inserted: 3, changedChats: ['g:a'] });
    while (!text.includes('event: stored')) text += decoder.decode((await reader.read()).value);
    controller.abort();
    assert.ok(text.includes(`"corpId":"${corpA}"`));
    assert.ok(!text.includes(corpB));
  });

  it('the audit log holds every read (who, what, when); only an admin reads it; keys never appear', async () => {
    const denied = await call(keyA, '/v1/audit');
    assert.equal(denied.status, 403);
    const r = await call(adminKey, '/v1/audit?limit=1000');
    const entries = r.json.entries as Array<{ user: string; action: string; at: number }>;
    const actions = new Set(entries.map((e) => `${e.user}:${e.action}`));
    for (const a of ['alice:chats.denied', 'alice:corps', 'bob:chats', 'bob:messages', 'alice:resolve', 'alice:search', 'bob:events']) assert.ok(actions.has(a), a);
    assert.ok(entries.every((e) => Number.isFinite(e.at)));
    const raw = JSON.stringify(entries);
    for (const key of [keyA, keyAll, adminKey]) assert.ok(!raw.includes(key));
  });
  it('TeamArchive answers every read exactly as the archive the service reads', async () => {
    const local = archives.get(corpA)!;
    const remote = new TeamArchive({ baseUrl: base, apiKey: keyA, corpId: corpA });
    try {
      for (const kind of ['group', 'single'] as const) {
        for (const filter of [undefined, { idContains: 'w' }, { partyType: 2 as const }, { activeSince: sim.now() - 86_400 }]) {
          let after: { lastTime: number; key: string } | undefined;
          do {
            const q = { kind, limit: 5, ...(after ? { after } : {}), ...(filter ? { filter } : {}) };
            const [a, b] = [await local.listChats(q), await remote.listChats(q)];
            assert.deepEqual(b, a);
            after = a.next;
          } while (after);
          assert.equal(await remote.countChats({ kind, ...(filter ? { filter } : {}) }), await local.countChats({ kind, ...(filter ? { filter } : {}) }));
        }
      }
      const { chats } = await local.listChats({ kind: 'group', limit: 3 });
      for (const chat of chats) {
        assert.deepEqual(await remote.getChat(chat.key), await local.getChat(chat.key));
        const senders = await local.senders(chat.key);
        assert.deepEqual(await remote.senders(chat.key), senders);
        for (const q of [
          { chatKey: chat.key, direction: 'older' as const, limit: 20 },
          { chatKey: chat.key, direction: 'newer' as const, limit: 20, msgtypes: [1, 2] },
          { chatKey: chat.key, direction: 'older' as const, limit: 20, sender: senders[0]!.id },
        ]) {
          const page = await local.pageMessages(q);
          assert.deepEqual(await remote.pageMessages(q), page);
          const last = page[page.length - 1];
          if (last) assert.deepEqual(await remote.pageMessages({ ...q, from: { sendTime: last.sendTime, msgid: last.msgid } }), await local.pageMessages({ ...q, from: { sendTime: last.sendTime, msgid: last.msgid } }));
        }
        const mid = Math.floor((chat.firstTime + chat.lastTime) / 2);
        assert.deepEqual(await remote.locate({ chatKey: chat.key, sendTime: mid }), await local.locate({ chatKey: chat.key, sendTime: mid }));
      }
      const ids = sim.corps[0]!.listMessages().slice(0, 10).map((m) => m.msgid);
      assert.deepEqual(await remote.resolve([...ids, 'missing']), await local.resolve([...ids, 'missing']));
      const { cursor, ...state } = await local.syncState();
      assert.ok(cursor, 'the service has a cursor');
      assert.deepEqual(await remote.syncState(), state, 'the same state, without the cursor');
      assert.deepEqual(await remote.gaps(), await local.gaps());
      const stats = await local.stats();
      assert.deepEqual(await remote.stats(), { messages: stats.messages, chats: stats.chats, fileBytes: 0 });
      await assert.rejects(remote.applyPage(), (e: unknown) => e instanceof Error && 'code' in e && e.code === 'READ_ONLY');
      const outside = new TeamArchive({ baseUrl: base, apiKey: keyA, corpId: corpB });
      await assert.rejects(outside.listChats({ kind: 'group', limit: 5 }), (e: unknown) => e instanceof Error && /403 auth\.scope/.test(e.message));
      await outside.close();
    } finally {
      await remote.close();
    }
  });

  it('TeamArchive follows stored events; a non-loopback http URL is refused before any request', async () => {
    const remote = new TeamArchive({ baseUrl: base, apiKey: keyA, corpId: corpA });
    const notices: unknown[] = [];
    const stop = remote.onStored((n) => notices.push(n));
    const deadline = Date.now() + 5000;
    while (notices.length === 0 && Date.now() < deadline) {
      api.stored({ corpId: corpA, inserted: 2, changedChats: ['g:x'] });
      await new Promise((r) => setTimeout(r, 50));
    }
    stop();
    await remote.close();
    assert.deepEqual(notices[0], { corpId: corpA, inserted: 2, changedChats: ['g:x'] });
    assert.throws(() => new TeamArchive({ baseUrl: 'http://10.1.2.3:8080', apiKey: 'k', corpId: 'c' }), /https/);
  });

  it('TeamArchive searches through the service and lists the corps a key may read; refusals say what to do', async () => {
    const remote = new TeamArchive({ baseUrl: base, apiKey: keyA, corpId: corpA });
    try {
      const page = await remote.search({ query_word: 'msgtype' });
      assert.equal(page.hits.length, 6);
      const local = archives.get(corpA)!;
      const { found } = await local.resolve(page.hits.slice(0, 5).map((h) => h.msgid));
      assert.deepEqual(page.hits.slice(0, 5).map((h) => h.message), found, 'each hit as the service archive holds it');
      assert.deepEqual(page.hits[5], { msgid: 'older-than-the-archive' });
      await assert.rejects(remote.search({ query_word: 'x' }), (e: unknown) => e instanceof ArchiveError && /400 rules/.test(e.message));
      // The tree asks for state, gaps and stats together: one request answers the three.
      const stateReads = async () => ((await call(adminKey, '/v1/audit?limit=10000')).json.entries as Array<{ user: string; action: string }>).filter((e) => e.user === 'alice' && e.action === 'state').length;
      const before = await stateReads();
      await Promise.all([remote.syncState(), remote.gaps(), remote.stats()]);
      assert.equal((await stateReads()) - before, 1);
    } finally {
      await remote.close();
    }
    assert.deepEqual((await listTeamCorps(base, keyA)).map((c) => c.corpId), [corpA]);
    assert.deepEqual((await listTeamCorps(base, keyAll)).map((c) => c.corpId).sort(), [corpA, corpB].sort());
    const words = (e: unknown) => (e instanceof ArchiveError && e.userMessage ? e.userMessage.text : '');
    await assert.rejects(listTeamCorps(base, 'wrong-key'), (e: unknown) => /did not accept the API key/.test(words(e)) && !(e as Error).message.includes('wrong-key'));
    const outside = new TeamArchive({ baseUrl: base, apiKey: keyA, corpId: corpB });
    await assert.rejects(outside.stats(), (e: unknown) => /may not read this corp/.test(words(e)));
    await outside.close();
    const dead = new TeamArchive({ baseUrl: 'http://127.0.0.1:9', apiKey: keyA, corpId: corpA, timeoutMs: 2000 });
    await assert.rejects(dead.stats(), (e: unknown) => /did not answer/.test(words(e)) && errorPhrase(e) === (e as ArchiveError).userMessage);
    await dead.close();
  });

  it('exports a whole chat as CSV and JSON, streamed, in the extension\'s format; audited; 404 and 403 before any data', async () => {
    const local = archives.get(corpA)!;
    const [chat] = (await local.listChats({ kind: 'group', limit: 1 })).chats;
    assert.ok(chat);
    const all: ExportItem[] = [];
    let from: { sendTime: number; msgid: string } | undefined;
    for (;;) {
      const page = await local.pageMessages({ chatKey: chat.key, direction: 'newer', limit: 7, ...(from ? { from } : {}) });
      if (page.length === 0) break;
      all.push(...page.map((m) => ({ msgid: m.msgid, row: toRow(m, undefined, Number.POSITIVE_INFINITY) })));
      from = { sendTime: page[page.length - 1]!.sendTime, msgid: page[page.length - 1]!.msgid };
    }
    assert.equal(all.length, chat.count);
    const get = (key: string, path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    const q = (format: string, c = corpA, k = chat.key) => `/v1/export?corp=${encodeURIComponent(c)}&chat=${encodeURIComponent(k)}&format=${format}`;
    const csv = await get(keyA, q('csv'));
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    // Bytes, BOM included (text() would drop it).
    assert.equal(Buffer.from(await csv.arrayBuffer()).toString('utf8'), toCsv(all, english));
    const json = await get(keyA, q('json'));
    assert.equal(await json.text(), toJson(all));
    // Through the extension's client, into a file.
    const remote = new TeamArchive({ baseUrl: base, apiKey: keyA, corpId: corpA });
    const file = join(dir, 'export.json');
    const bytes = await remote.exportChat(chat.key, 'json', file, new AbortController().signal);
    assert.equal(readFileSync(file, 'utf8'), toJson(all));
    assert.equal(bytes, Buffer.byteLength(toJson(all)));
    await assert.rejects(remote.exportChat('g:nope', 'csv', join(dir, 'x.csv'), new AbortController().signal), (e: unknown) => e instanceof ArchiveError && /404 chat\.unknown/.test(e.message));
    await remote.close();
    const denied = await get(keyA, q('csv', corpB));
    assert.equal(denied.status, 403);
    assert.ok(!(await denied.text()).includes('msgid'));
    assert.equal((await get(keyA, q('xml'))).status, 400);
    const entries = ((await call(adminKey, '/v1/audit?limit=10000')).json.entries as Array<{ user: string; action: string; detail?: string; count?: number }>).filter((e) => e.user === 'alice' && e.action === 'export');
    assert.ok(entries.some((e) => e.detail === `csv ${chat.key}` && e.count === chat.count));
  });
});
