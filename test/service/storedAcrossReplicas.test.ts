/**
 * `stored` events across replicas: two services on one PostgreSQL. Replica A (no team API) stores
 * new messages; an operator's event stream on replica B, which stored none of them, hears of them
 * (NOTIFY in A's commit, B's LISTEN connection). B's LISTEN connection killed: B listens again,
 * tells its streams to refresh everything, and hears of the next commit. And a commit whose chat
 * keys are far past NOTIFY's 8000 bytes commits, with its notice cut short and marked so.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Client } from 'pg';
import { PgArchive } from '../../src/core/archive/pg/archive';
import { decodeNotice, NOTIFY_PAYLOAD_MAX, STORED_CHANNEL, type StoredNotice } from '../../src/core/archive/pg/storedNotice';
import { type StoredNotice as TeamNotice, TeamArchive } from '../../src/core/archive/teamArchive';
import { type RunningSimulator, startSimulator } from '../../src/core/simulator/index';
import { parseMessage } from '../../src/core/wecom/wire';
import { checkConfig } from '../../src/server/config';
import { ArchiveService, JsonLog } from '../../src/server/service';
import { newApiKey } from '../../src/server/team/apiKeys';
import { freshDatabase } from '../harness/postgres';
import { tempDir } from '../unit/archive/helpers';
import { connect, serviceConfig, sleep, until } from './helpers';

type Log = Record<string, unknown>;

describe('stored events across replicas', () => {
  let sim: RunningSimulator;
  let database: string;
  let db: Client;
  const services: ArchiveService[] = [];
  const key = newApiKey();
  const dir = tempDir('stored-replicas-');

  /** A replica of the corps; with `team`, it serves the team API (and listens for notices). */
  async function replica(team: boolean, logs: Log[]): Promise<ArchiveService> {
    const { config, env } = serviceConfig({ sim, database, intervalSeconds: 3600, pageSize: 100 });
    const checked = checkConfig({
      ...config,
      ...(team ? { team: { auditLog: `${dir}/audit.jsonl`, keys: [{ user: 'alice', sha256: createHash('sha256').update(key).digest('hex'), corps: ['*'] }] } } : {}),
    });
    assert.deepEqual(checked.problems, []);
    const service = new ArchiveService(checked.config!, { env, log: new JsonLog((line) => logs.push(JSON.parse(line) as Log)) });
    services.push(service);
    await service.start();
    return service;
  }

  const synced = (logs: Log[]): number[] => logs.filter((l) => l.msg === 'corp synced').map((l) => Number(l.inserted));

  before(async () => {
    sim = await startSimulator({ corps: 1, messages: 300, days: 2, seed: 77, rateLimits: { noTokenPerMinute: 1_000_000 } });
    database = await freshDatabase('stored');
    db = await connect(database);
  });

  after(async () => {
    for (const s of services) await s.stop();
    await db?.end();
    await sim?.close();
  });

  it('a client of replica B hears of the pages replica A stored; after B loses its LISTEN connection too', async () => {
    const corp = sim.corps[0]!;
    const bLogs: Log[] = [];
    const b = await replica(true, bLogs);
    await until('B stored the corp', 20_000, () => synced(bLogs).length === 1, 50);
    assert.deepEqual(synced(bLogs), [corp.messageCount()]);

    const reader = new TeamArchive({ baseUrl: `http://127.0.0.1:${b.address!.port}`, apiKey: key, corpId: corp.corpId });
    const seen: TeamNotice[] = [];
    const stop = reader.onStored((n) => seen.push(n));
    try {
      await sleep(300); // the event stream is open
      const added = corp.addMessages(3);
      const aLogs: Log[] = [];
      const a = await replica(false, aLogs); // syncs at start: the three new messages
      await until('A stored the new messages', 20_000, () => synced(aLogs).length === 1, 50);
      assert.deepEqual(synced(aLogs), [3], 'A stored them');
      await until('the stored event on B', 5000, () => seen.reduce((n, e) => n + e.inserted, 0) === 3, 20);
      assert.deepEqual(synced(bLogs), [300], 'B stored none of them');
      const { found } = await reader.resolve(added);
      const chats = new Set(seen.flatMap((e) => e.changedChats));
      for (const m of found) assert.ok(m && chats.has(m.chatKey), 'the changed chats are named');
      await a.stop();

      // B's LISTEN connection dies: B listens again and tells its streams to refresh everything.
      const killed = await db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE '% listener'");
      assert.equal(killed.rowCount, 1, 'one LISTEN connection (B: A has no team API)');
      seen.length = 0;
      await until('the refresh-everything event', 10_000, () => seen.some((e) => e.truncated === true), 20);
      const more = corp.addMessages(2);
      const a2Logs: Log[] = [];
      await replica(false, a2Logs);
      await until('the stored event after the reconnect', 20_000, () => seen.reduce((n, e) => n + e.inserted, 0) === 2, 20);
      // The notice comes with the commit, a moment before the run ends and logs.
      await until('the second A done', 20_000, () => synced(a2Logs).length === 1, 20);
      assert.deepEqual(synced(a2Logs), [2]);
      assert.equal((await reader.resolve(more)).missing.length, 0);
    } finally {
      stop();
      await reader.close();
    }
  });

  it('chat keys far past 8000 bytes: the commit stands, its notice is cut short and marked', async () => {
    const listener = await connect(database);
    const heard: { notice: StoredNotice | undefined; bytes: number }[] = [];
    listener.on('notification', (n) => {
      if (n.channel === STORED_CHANNEL) heard.push({ notice: decodeNotice(n.payload ?? ''), bytes: Buffer.byteLength(n.payload ?? '') });
    });
    await listener.query(`LISTEN ${STORED_CHANNEL}`);
    const archive = await PgArchive.open(database, 'corp-long-keys', { migrate: false, notify: true });
    try {
      // Ten single chats whose peers are 2,000 CJK characters: ten 6 KB chat keys.
      const messages = Array.from({ length: 10 }, (_, i) =>
        parseMessage({ msgid: `long-${i}`, sender: { type: 1, id: 'wo1' }, receiver_list: [{ type: 2, id: `${i}${'中'.repeat(1999)}` }], send_time: 1_765_000_000 + i, msgtype: 1 })!,
      );
      assert.equal((await archive.applyPage({ messages, nextCursor: 'c', hasMore: false })).inserted, 10);
      await until('the notice', 5000, () => heard.some((h) => h.notice?.corpId === 'corp-long-keys'), 20);
      const h = heard.find((x) => x.notice?.corpId === 'corp-long-keys')!;
      assert.ok(h.bytes <= NOTIFY_PAYLOAD_MAX);
      assert.equal(h.notice!.inserted, 10);
      assert.equal(h.notice!.truncated, true);
      assert.equal(h.notice!.changedChats.length, 1, 'as many keys as fit: one');
      assert.equal((await archive.stats()).messages, 10, 'committed');
    } finally {
      await archive.close();
      await listener.end();
    }
  });
});
