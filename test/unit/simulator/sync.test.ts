// sync_msg against the real HTTP server: every rule of docs/wecom-api.md §2.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator';
import { DAY, type SyncMessage, publicKeyOf, sync, syncAll } from './helpers';

let sim: RunningSimulator;
let token: string;

before(async () => {
  sim = await startSimulator({ seed: 11, messages: 40_000, days: 8 });
  token = sim.mintCallbackToken();
});
after(() => sim.close());

function assertAscending(list: SyncMessage[]): void {
  for (let i = 1; i < list.length; i++) {
    assert.ok(list[i - 1]!.send_time <= list[i]!.send_time, `send_time not ascending at ${i}`);
  }
}

describe('sync_msg parameters', () => {
  it('uses limit 200 by default and accepts 1 and 1000', async () => {
    assert.equal((await sync(sim, { token })).msg_list.length, 200);
    assert.equal((await sync(sim, { token, limit: 1 })).msg_list.length, 1);
    const r = await sync(sim, { token, limit: 1000 });
    assert.equal(r.errcode, 0);
    assert.equal(r.msg_list.length, 1000);
  });

  for (const limit of [1001, 0, -1, 1.5, '200']) {
    it(`refuses limit ${JSON.stringify(limit)} with 40058 naming limit`, async () => {
      const r = await sync(sim, { token, limit });
      assert.equal(r.errcode, 40058);
      assert.match(r.errmsg, /\blimit\b/);
    });
  }

  for (const name of ['cursor', 'token'] as const) {
    it(`accepts a 128-byte ${name} length check and refuses 129 bytes naming ${name}`, async () => {
      const r129 = await sync(sim, { token, [name]: 'a'.repeat(129) });
      assert.equal(r129.errcode, 40058);
      assert.match(r129.errmsg, new RegExp(`\\b${name}\\b`));
      // 43 Chinese characters = 129 UTF-8 bytes: bytes count, not characters.
      const zh = await sync(sim, { token, [name]: '档'.repeat(43) });
      assert.equal(zh.errcode, 40058);
      assert.match(zh.errmsg, new RegExp(`\\b${name}\\b`));
      const r128 = await sync(sim, { token, [name]: 'a'.repeat(128) });
      // 128 bytes passes the length rule: an unknown cursor is then 50100, an unknown token is ignored.
      assert.equal(r128.errcode, name === 'cursor' ? 50100 : 0);
    });
  }

  it('returns an opaque next_cursor of at most 128 bytes', async () => {
    const r = await sync(sim, { token, limit: 10 });
    assert.ok(r.next_cursor.length > 0 && Buffer.byteLength(r.next_cursor) <= 128);
  });

  it('refuses a tampered cursor with 50100', async () => {
    const r = await sync(sim, { token, limit: 10 });
    const c = r.next_cursor;
    const flipped = c.slice(0, 5) + (c[5] === 'A' ? 'B' : 'A') + c.slice(6);
    assert.equal((await sync(sim, { token, cursor: flipped })).errcode, 50100);
    assert.equal((await sync(sim, { token, cursor: 'RMTJID' })).errcode, 50100);
  });
});

describe('sync_msg data', () => {
  it('starts at the earliest message within 3 days and pages through everything without gaps or repeats', async () => {
    const before3d = sim.now() - 3 * DAY;
    const { messages } = await syncAll(sim, token);
    const after3d = sim.now() - 3 * DAY;
    const ids = messages.map((m) => m.msgid);
    assert.equal(new Set(ids).size, ids.length, 'no repeats');
    assertAscending(messages);
    // Ground truth from the generator, for either side of a second boundary during the run.
    const expectA = sim.listMessages(before3d).map((m) => m.msgid);
    const expectB = sim.listMessages(after3d).map((m) => m.msgid);
    assert.ok(ids.length > 5000, `expected thousands of messages, got ${ids.length}`);
    assert.ok(
      JSON.stringify(ids) === JSON.stringify(expectA) || JSON.stringify(ids) === JSON.stringify(expectB),
      'paged messages equal the generator window',
    );
    // The history goes back ~8 days, so older messages exist that the first sync skipped.
    assert.ok(sim.listMessages(0, before3d - 1).length > 0);
  });

  it('returns messages shaped as WeCom documents them, with receiver_list excluding the sender', async () => {
    const { messages } = await syncAll(sim, token);
    const types = new Set<number>();
    const directory = sim.directory();
    const groups = new Map(directory.groups.map((g) => [g.chatid, g]));
    const partyType = new Map(directory.parties.map((p) => [p.id, p.type]));
    for (const m of messages) {
      types.add(m.msgtype);
      assert.match(m.msgid, /^[0-9a-f]{32}$/);
      assert.ok([1, 2, 3].includes(m.sender.type));
      assert.equal(partyType.get(m.sender.id), m.sender.type);
      assert.ok(m.receiver_list.length >= 1);
      assert.ok(!m.receiver_list.some((r) => r.id === m.sender.id), 'sender not among receivers');
      assert.ok(Number.isInteger(m.send_time));
      assert.ok(m.service_encrypt_info.encrypted_secret_key.length > 100);
      assert.equal(m.service_encrypt_info.public_key_ver, 1);
      if (m.chatid !== undefined) {
        const g = groups.get(m.chatid);
        assert.ok(g, 'chatid is a known group');
        assert.equal(m.receiver_list.length, g.members.length - 1);
      } else {
        assert.equal(m.receiver_list.length, 1, 'single chat: the other party');
      }
      if (m.msgtype === 21 || m.msgtype === 22) {
        assert.ok(Number.isInteger(m.extra_info?.call_duration) && m.extra_info!.call_duration > 0);
      } else {
        assert.equal(m.extra_info, undefined);
      }
      if (m.msgtype === 24 || m.msgtype === 25) {
        assert.equal(m.chatid, undefined, 'consent events only in single chats');
        assert.ok([m.sender.type, m.receiver_list[0]!.type].includes(2), 'with an external contact');
      }
    }
    for (let t = 0; t <= 28; t++) assert.ok(types.has(t), `msgtype ${t} occurs`);
    const text = messages.filter((m) => m.msgtype === 1).length;
    const image = messages.filter((m) => m.msgtype === 2).length;
    assert.ok(text > messages.length * 0.4 && image > messages.length * 0.08, 'mostly text and images');
  });

  it('follows a daily rhythm: more messages at 10:00 than at 03:00 China time', () => {
    const hours = new Array<number>(24).fill(0);
    for (const m of sim.listMessages()) hours[new Date((m.send_time + 8 * 3600) * 1000).getUTCHours()]!++;
    assert.ok(hours[10]! > hours[3]! * 5);
  });

  it('delivers messages added later to a cursor that was at the end (incremental sync)', async () => {
    const { cursor } = await syncAll(sim, token);
    const empty = await sync(sim, { token, cursor });
    assert.equal(empty.msg_list.length, 0);
    assert.equal(empty.has_more, false);
    const added = sim.addMessages(5);
    const r = await sync(sim, { token, cursor: empty.next_cursor });
    assert.deepEqual(
      r.msg_list.map((m) => m.msgid),
      added,
    );
    assert.ok(r.msg_list.every((m) => Math.abs(m.send_time - sim.now()) <= 1));
  });

  it('adds messages over the control endpoint too', async () => {
    const { cursor } = await syncAll(sim, token);
    const res = await fetch(`${sim.url}/_sim/messages`, { method: 'POST', body: JSON.stringify({ count: 3 }) });
    const added = (await res.json()) as { msgids: string[] };
    const r = await sync(sim, { token, cursor });
    assert.deepEqual(
      r.msg_list.map((m) => m.msgid),
      added.msgids,
    );
  });
});

describe('sync_msg retention and arrival', () => {
  let s: RunningSimulator;
  before(async () => {
    const pem = sim.privateKeyPem()!;
    s = await startSimulator({ seed: 12, messages: 5000, days: 8, ratePerMinute: 600, publicKey: { pem: publicKeyOf(pem), version: 3 } });
  });
  after(() => s.close());

  it('never returns anything older than 5 days, and a cursor behind the window is 50100', async () => {
    const t = s.mintCallbackToken();
    const first = await sync(s, { token: t, limit: 10 });
    assert.equal(first.errcode, 0);
    assert.equal(first.msg_list[0]!.service_encrypt_info.public_key_ver, 3);
    // Move 1.5 days: the cursor (about 3 days old) is still inside the 5-day window.
    s.advanceClock(1.5 * DAY);
    const { messages } = await syncAll(s, s.mintCallbackToken(), first.next_cursor);
    const cutoff = s.now() - 5 * DAY;
    assert.ok(messages.length > 0);
    assert.ok(messages.every((m) => m.send_time >= cutoff), 'nothing older than 5 days');
    assertAscending(messages);
    // Another day: the first page's cursor now points at messages older than 5 days.
    s.advanceClock(1 * DAY);
    const lost = await sync(s, { token: s.mintCallbackToken(), cursor: first.next_cursor });
    assert.equal(lost.errcode, 50100);
    const fresh = await sync(s, { token: s.mintCallbackToken(), limit: 1000 });
    assert.ok(fresh.msg_list.every((m) => m.send_time >= s.now() - 3 * DAY - 1));
  });

  it('adds new messages at the configured rate while running', async () => {
    const n0 = s.messageCount();
    await new Promise((r) => setTimeout(r, 1300));
    // 600/min = 10 per second of real time.
    assert.ok(s.messageCount() - n0 >= 8, `added ${s.messageCount() - n0}`);
  });
});

describe('determinism', () => {
  it('same seed and start time → same messages; another seed → different ones', async () => {
    const pub = publicKeyOf(sim.privateKeyPem()!);
    const startTime = 1_750_000_000;
    const opts = { messages: 3000, days: 8, startTime, publicKey: { pem: pub, version: 1 } };
    const a = await startSimulator({ ...opts, seed: 5 });
    const b = await startSimulator({ ...opts, seed: 5 });
    const c = await startSimulator({ ...opts, seed: 6 });
    try {
      const strip = (s: RunningSimulator) =>
        s.listMessages(0, startTime).map((m) => {
          const { service_encrypt_info, ...rest } = m;
          return { ...rest, secret: s.secretOf(m.msgid)!.secret, ver: service_encrypt_info.public_key_ver };
        });
      const la = strip(a);
      assert.equal(la.length, 3000);
      assert.deepEqual(la, strip(b));
      assert.notDeepEqual(
        la.map((m) => m.msgid),
        strip(c).map((m) => m.msgid),
      );
      assert.ok(la.every((m) => m.send_time <= startTime && m.send_time >= startTime - 8 * DAY));
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
