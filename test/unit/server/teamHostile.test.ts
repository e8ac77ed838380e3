/**
 * Hostile data through the team API: whatever ids, msgtypes and numbers a server may send, stored
 * by the sync engine and read back over HTTP by TeamArchive, come back exactly as sent, and every
 * request about them gets an answer (fast-check, the simulator's raw messages, real SQLite + HTTP).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { type Archive, openArchive } from '../../../src/core/archive/archive';
import { SyncEngine } from '../../../src/core/archive/sync';
import { toRow } from '../../../src/core/archive/messageRows';
import { TeamArchive } from '../../../src/core/archive/teamArchive';
import { toJson } from '../../../src/shared/exportRows';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator';
import { WeComClient } from '../../../src/core/wecom/client';
import { HashedKeyStore, newApiKey } from '../../../src/server/team/apiKeys';
import { FileAuditLog } from '../../../src/server/team/auditLog';
import { TeamApi } from '../../../src/server/team/teamApi';
import { CONTROL_ID, LONG_GROUP, LONG_MSGID, MARKUP_ID, RLO_ID } from '../../harness/hostileCorpus';
import { buildBundles, simTokenSource, tempDir } from '../archive/helpers';

/** Ids as a server may send them: any well-formed text, and the corpus' worst cases. */
const hostileId = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u202e', '\u200f', '<', '&', '"', '/', '?', '#', '%', ' ', '\t', 'a', '字'), minLength: 1, maxLength: 40 }),
  fc.constantFrom(LONG_MSGID, RLO_ID, CONTROL_ID, MARKUP_ID, LONG_GROUP),
);

const hostileMessage = fc.record({
  msgid: hostileId,
  chatid: fc.option(hostileId, { nil: undefined }),
  sender: fc.record({ type: fc.constantFrom(1, 2, 3, 7), id: hostileId }),
  peer: fc.record({ type: fc.constantFrom(1, 2), id: hostileId }),
  send_time: fc.oneof(fc.integer({ min: 1_600_000_000, max: 1_800_000_000 }), fc.constantFrom(1e300, -1, 0.5, 2 ** 53)),
  msgtype: fc.oneof(fc.integer({ min: 0, max: 28 }), fc.constantFrom(999, 2 ** 31)),
});

describe('team API: hostile data', () => {
  let sim: RunningSimulator;
  let archive: Archive;
  let engine: SyncEngine;
  let server: Server;
  let remote: TeamArchive;
  let api: TeamApi;
  const exportFile = join(tempDir('team-hostile-export-'), 'chat.json');

  before(async () => {
    const { worker } = await buildBundles();
    const dir = tempDir('team-hostile-');
    // A sync per property run: lift the strict limit that applies without a callback token.
    sim = await startSimulator({ messages: 0, seed: 5, rateLimits: { noTokenPerMinute: 1_000_000 } });
    archive = await openArchive(join(dir, 'a.sqlite'), { workerPath: worker });
    engine = new SyncEngine(archive, new WeComClient({ tokenSource: simTokenSource(sim), baseUrl: sim.url }), { owner: 'hostile' });
    const keys = new HashedKeyStore();
    const key = newApiKey();
    keys.add(key, { user: 'u', corps: [sim.corpId], admin: false });
    api = new TeamApi({ keys, audit: new FileAuditLog(join(dir, 'audit.jsonl')), corps: () => [sim.corpId], archive: () => archive });
    server = createServer((req, res) => void api.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    remote = new TeamArchive({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: key, corpId: sim.corpId });
  });

  after(async () => {
    await remote.close();
    api.close();
    await new Promise<void>((r) => server.close(() => r()));
    await archive.close();
    await sim.close();
  });

  it('every message comes back over HTTP exactly as stored, and its chat answers', async () => {
    const used = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(hostileMessage, { minLength: 1, maxLength: 6 }), async (batch) => {
        // msgids are unique per corp: a repeated one would be (rightly) stored once.
        const fresh = batch.filter((m) => !used.has(m.msgid) && used.add(m.msgid));
        if (fresh.length === 0) return;
        sim.addRawMessages(
          fresh.map((m) => ({
            json: { msgid: m.msgid, sender: m.sender, receiver_list: [m.peer], ...(m.chatid === undefined ? {} : { chatid: m.chatid }), send_time: m.send_time, msgtype: m.msgtype },
          })),
        );
        await engine.run();
        const ids = fresh.map((m) => m.msgid);
        const [local, overHttp] = [await archive.resolve(ids), await remote.resolve(ids)];
        assert.deepEqual(overHttp, local);
        assert.deepEqual(overHttp.missing, []);
        for (const [i, m] of fresh.entries()) {
          const got = overHttp.found[i]!;
          assert.equal(got.msgid, m.msgid);
          assert.deepEqual(got.sender, { type: m.sender.type, id: m.sender.id });
          assert.equal(got.chatid, m.chatid);
          assert.equal(got.msgtype, m.msgtype);
          assert.equal(got.raw.send_time, m.send_time);
          // Its chat answers over HTTP: summary, senders, a page that holds it.
          const chat = await remote.getChat(got.chatKey);
          assert.ok(chat, 'the chat of a stored message exists');
          assert.deepEqual(await remote.senders(got.chatKey), await archive.senders(got.chatKey));
          const page = await remote.pageMessages({ chatKey: got.chatKey, direction: 'older', limit: 1000 });
          assert.ok(page.some((p) => p.msgid === m.msgid));
          // Its chat exports whole (the service's stream), exactly as a local export would write it.
          await remote.exportChat(got.chatKey, 'json', exportFile, new AbortController().signal);
          const all = await archive.pageMessages({ chatKey: got.chatKey, direction: 'newer', limit: 1000 });
          assert.equal(readFileSync(exportFile, 'utf8'), toJson(all.map((x) => ({ msgid: x.msgid, row: toRow(x, undefined, Number.POSITIVE_INFINITY) }))));
        }
      }),
      { numRuns: 25 },
    );
  });
});
