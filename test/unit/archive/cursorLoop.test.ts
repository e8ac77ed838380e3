/**
 * The one cursor loop is the engine's (WeComClient has none): what it asks for page after page, against
 * a scripted server on 127.0.0.1 with the real client, worker and SQLite file. These cases were
 * proved on the client's own page loop before it was removed; they hold for the loop that syncs.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, before, describe, it } from 'node:test';
import { type Archive, openArchive } from '../../../src/core/archive/archive';
import { ServerProtocolError } from '../../../src/core/archive/errors';
import { SyncEngine } from '../../../src/core/archive/sync';
import { WeComClient } from '../../../src/core/wecom/client';
import { StaticTokenSource } from '../../../src/core/wecom/tokens';
import { err, type Handler, instantSleep, ok, type ScriptedServer, startServer, tooLargeAbove } from '../wecom/helpers';
import { buildBundles, tempDir } from './helpers';

let workerPath: string;
const dir = tempDir();
const open: Array<{ close(): Promise<unknown> }> = [];
let n = 0;

before(async () => {
  workerPath = (await buildBundles()).worker;
});
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});

async function setup(handler: Handler): Promise<{ server: ScriptedServer; archive: Archive; engine: (limit: number) => SyncEngine }> {
  const server = await startServer(handler);
  const archive = await openArchive(join(dir, `loop-${n++}.sqlite`), { workerPath });
  const client = new WeComClient({ tokenSource: new StaticTokenSource({ token: 'T' }), baseUrl: server.url, env: {}, sleep: instantSleep().sleep });
  open.push(server, archive, client);
  return { server, archive, engine: (limit) => new SyncEngine(archive, client, { owner: `loop-${n}`, limit }) };
}

function message(msgid: string) {
  return { msgid, sender: { type: 1, id: 'wo1' }, receiver_list: [{ type: 2, id: 'wm1' }], send_time: 1700000000, msgtype: 1 };
}

const bodies = (server: ScriptedServer) => server.requests.map((r) => r.body);

describe('the sync engine follows the cursor', () => {
  it('follows next_cursor until has_more is false (true/false and 1/0 alike), storing every page', async () => {
    const pages = [
      ok({ has_more: true, next_cursor: 'C1', msg_list: [message('a'), message('b')] }),
      ok({ has_more: 1, next_cursor: 'C2', msg_list: [message('c')] }),
      ok({ has_more: false, next_cursor: 'C3', msg_list: [] }),
    ];
    const { server, archive, engine } = await setup((_r, i) => pages[i] ?? err(-1));
    await engine(2).run();
    assert.deepEqual(bodies(server), [{ limit: 2 }, { cursor: 'C1', limit: 2 }, { cursor: 'C2', limit: 2 }]);
    const { found, missing } = await archive.resolve(['a', 'b', 'c']);
    assert.equal(found.filter(Boolean).length, 3, `missing ${missing.join(', ')}`);
    assert.equal((await archive.syncState()).cursor, 'C3');
  });

  it('has_more without a new cursor is refused instead of looping', async () => {
    const { server, engine } = await setup(() => ok({ has_more: 1, next_cursor: 'SAME', msg_list: [] }));
    await assert.rejects(engine(10).run(), (e: unknown) => e instanceof ServerProtocolError && e.rule === 'cursorStuck');
    assert.deepEqual(bodies(server), [{ limit: 10 }, { cursor: 'SAME', limit: 10 }]);
  });

  it('after a 301058 the halved limit sticks for the later pages of the run', async () => {
    const { server, engine } = await setup(tooLargeAbove(250, 2));
    await engine(1000).run();
    assert.deepEqual(
      server.requests.map((r) => (r.body as { limit: number }).limit),
      [1000, 500, 250, 250],
    );
  });
});
