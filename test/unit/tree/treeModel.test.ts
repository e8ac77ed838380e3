// The chats tree as a model over a real archive (node:sqlite in its worker) of 10k+ chats:
// paging by keyset with Load more, newest activity first, filters, stable ids.
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Archive, openArchive } from '../../../src/core/archive';
import { ArchiveError } from '../../../src/core/archive/errors';
import { TeamArchive } from '../../../src/core/archive/teamArchive';
import { ChatTreeModel, type TreeNode } from '../../../src/host/tree/treeModel';
import type { ArchiveMessage } from '../../../src/shared/wire';
import { parseMessage } from '../../../src/core/wecom/wire';
import { buildBundles, tempDir } from '../archive/helpers';

const SINGLES = 10_000;
const GROUPS = 300;
const T0 = 1_760_000_000;

/** Chat i's last message is at T0 + i * 10: chat i is newer than chat i-1. */
function messages(): ArchiveMessage[] {
  const out: ArchiveMessage[] = [];
  const msg = (o: Record<string, unknown>) => {
    const m = parseMessage({ msgtype: 1, service_encrypt_info: { encrypted_secret_key: 'x', public_key_ver: 1 }, ...o });
    assert.ok(m);
    out.push(m);
  };
  for (let i = 0; i < SINGLES; i++) {
    const emp = `wo_emp_${i % 50}`;
    const other = i % 10 === 0 ? { type: 3, id: `wb_robot_${i}` } : { type: 2, id: `wm_ext_${i}` };
    msg({ msgid: `s${i}a`, sender: { type: 1, id: emp }, receiver_list: [other], send_time: T0 + i * 10 - 5 });
    msg({ msgid: `s${i}b`, sender: other, receiver_list: [{ type: 1, id: emp }], send_time: T0 + i * 10 });
  }
  for (let g = 0; g < GROUPS; g++) {
    msg({ msgid: `g${g}`, chatid: `wr_group_${g}`, sender: { type: 1, id: 'wo_emp_1' }, receiver_list: [{ type: 1, id: 'wo_emp_2' }, { type: 2, id: 'wm_x' }], send_time: T0 + g * 7 });
  }
  return out.sort((a, b) => a.sendTime - b.sendTime);
}

const chatsOf = (nodes: TreeNode[]) => nodes.filter((n): n is Extract<TreeNode, { type: 'chat' }> => n.type === 'chat');

describe('chats tree model over an archive of 10k chats', () => {
  let archive: Archive;
  let dir: string;
  let pageSize = 200;
  const model = () => new ChatTreeModel(async () => archive, () => pageSize);

  before(async () => {
    const { worker } = await buildBundles();
    dir = tempDir('tree-model-');
    archive = await openArchive(join(dir, 'a.sqlite'), { workerPath: worker });
    const all = messages();
    for (let i = 0; i < all.length; i += 1000) await archive.applyPage({ messages: all.slice(i, i + 1000), nextCursor: `c${i}`, hasMore: true });
  });
  after(async () => {
    await archive?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows both kinds with their totals under a profile', async () => {
    const nodes = await model().profileChildren('p1');
    const cats = nodes.filter((n) => n.type === 'category');
    assert.deepEqual(cats.map((n) => (n.type === 'category' ? [n.kind, n.total] : [])), [['group', GROUPS], ['single', SINGLES]]);
  });

  it('pages single chats newest first with a Load more node, and loading more continues without gaps or repeats', async () => {
    const m = model();
    let nodes = await m.categoryChildren('p1', 'single', SINGLES);
    assert.equal(chatsOf(nodes).length, pageSize);
    const more = nodes.at(-1);
    assert.equal(more?.type, 'loadMore');
    const first = chatsOf(nodes)[0];
    assert.equal(first?.chat.lastTime, T0 + (SINGLES - 1) * 10, 'the newest chat comes first');
    for (let i = 0; i < 3; i++) await m.loadMore('p1', 'single');
    nodes = await m.categoryChildren('p1', 'single', SINGLES);
    const chats = chatsOf(nodes);
    assert.equal(chats.length, pageSize * 4);
    const times = chats.map((c) => c.chat.lastTime);
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest activity first across pages');
    assert.equal(new Set(chats.map((c) => c.id)).size, chats.length, 'no chat twice');
    assert.deepEqual(times, Array.from({ length: pageSize * 4 }, (_, i) => T0 + (SINGLES - 1 - i) * 10), 'no chat skipped');
  });

  it('reaches every one of the 10k chats by Load more, then shows no Load more node', async () => {
    pageSize = 1000;
    const m = model();
    let nodes = await m.categoryChildren('p1', 'single', SINGLES);
    while (nodes.at(-1)?.type === 'loadMore') {
      await m.loadMore('p1', 'single');
      nodes = await m.categoryChildren('p1', 'single', SINGLES);
    }
    const ids = new Set(chatsOf(nodes).map((c) => c.id));
    assert.equal(ids.size, SINGLES);
    pageSize = 200;
  });

  it('keeps ids stable and keeps what was shown when new data invalidates the model', async () => {
    const m = model();
    await m.categoryChildren('p1', 'single', SINGLES);
    await m.loadMore('p1', 'single');
    const before = chatsOf(await m.categoryChildren('p1', 'single', SINGLES)).map((c) => c.id);
    m.invalidate('p1');
    const afterIds = chatsOf(await m.categoryChildren('p1', 'single', SINGLES)).map((c) => c.id);
    assert.deepEqual(afterIds, before);
    assert.equal(before[0], ChatTreeModel.chatId('p1', chatsOf(await m.categoryChildren('p1', 'single', SINGLES))[0]?.chat.key ?? ''));
  });

  it('filters by id substring, party type and kind, and says when nothing matches', async () => {
    const m = model();
    m.setFilter({ idContains: 'wm_ext_777' });
    let cats = (await m.profileChildren('p1')).filter((n) => n.type === 'category');
    // wm_ext_777 and wm_ext_7771..7779 (chat 7770 is with a robot): 10 single chats; no group has such a member.
    assert.deepEqual(cats.map((n) => (n.type === 'category' ? [n.kind, n.total] : [])), [['single', 10]]);
    m.setFilter({ partyType: 3 });
    cats = (await m.profileChildren('p1')).filter((n) => n.type === 'category');
    assert.deepEqual(cats.map((n) => (n.type === 'category' ? [n.kind, n.total] : [])), [['single', SINGLES / 10]]);
    const robots = chatsOf(await m.categoryChildren('p1', 'single', SINGLES / 10));
    assert.ok(robots.every((c) => c.chat.parties.some((p) => p.type === 3)));
    m.setFilter({ kind: 'group' });
    cats = (await m.profileChildren('p1')).filter((n) => n.type === 'category');
    assert.deepEqual(cats.map((n) => (n.type === 'category' ? n.kind : '')), ['group']);
    m.setFilter({ idContains: 'no-such-id' });
    const nodes = await m.profileChildren('p1');
    assert.deepEqual(nodes.map((n) => n.type), ['empty']);
    assert.equal(nodes[0]?.type === 'empty' && nodes[0].filtered, true);
    assert.equal(m.isFiltered(), true);
    m.setFilter({});
    assert.equal(m.isFiltered(), false);
  });

  it('shows a failed sync first under the profile until a sync succeeds', async () => {
    await archive.recordError({ message: 'boom 45009', at: Date.now() + 1000 });
    let nodes = await model().profileChildren('p1');
    assert.equal(nodes[0]?.type, 'syncError');
    assert.equal(nodes[0]?.type === 'syncError' && nodes[0].message, 'boom 45009');
    await archive.applyPage({ messages: [], nextCursor: 'c-after', hasMore: false, now: Date.now() + 2000 });
    nodes = await model().profileChildren('p1');
    assert.notEqual(nodes[0]?.type, 'syncError');
  });

  it('shows recorded gaps first under the profile', async () => {
    await archive.recordGap({ from: T0 - 10 * 86400, to: T0 - 5 * 86400, reason: 'stale', recordedAt: Date.now() });
    const nodes = await model().profileChildren('p1');
    assert.equal(nodes[0]?.type, 'gap');
  });

  it('an archive that cannot be read (a team service that does not answer) is one node saying why, and the next read recovers', async () => {
    const down = new TeamArchive({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', corpId: 'c', timeoutMs: 2000 });
    let reachable = false;
    const m = new ChatTreeModel(async () => (reachable ? archive : down), () => pageSize);
    const nodes = await m.profileChildren('p1');
    assert.equal(nodes.length, 1);
    const [node] = nodes;
    assert.ok(node?.type === 'unreadable');
    assert.ok(node.error instanceof ArchiveError && node.error.code === 'SERVICE');
    reachable = true;
    assert.ok((await m.profileChildren('p1')).some((n) => n.type === 'category'));
    await down.close();
  });
});
