/**
 * Archive test helpers: builds the worker and the child-process fixtures with esbuild into a
 * per-process temp dir (the test build does not bundle them), temp archive files, ground truth
 * from the simulator, and a direct read-only view of the SQLite file for recounts.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { build } from 'esbuild';
import { chatIdentity } from '../../../src/core/archive/chatKey';
import { bytesOf, textOf } from '../../../src/core/archive/sqlText';
import type { RunningSimulator } from '../../../src/core/simulator/index';
import type { TokenSource } from '../../../src/core/wecom/tokens';
import type { ArchiveMessage } from '../../../src/shared/wire';
import { parseMessage } from '../../../src/core/wecom/wire';

export const DAY = 86_400;

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src', 'core', 'archive'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

export const ROOT = repoRoot();

export interface Bundles {
  dir: string;
  worker: string;
  syncWorker: string;
  syncChild: string;
  windowChild: string;
}

let bundles: Promise<Bundles> | undefined;

/** The worker and child scripts, bundled once per test process. */
export function buildBundles(): Promise<Bundles> {
  bundles ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archive-test-bundles-'));
    await build({
      absWorkingDir: ROOT,
      entryPoints: {
        'archive-worker': 'src/core/archive/worker.ts',
        'sync-worker': 'src/core/archive/syncWorker.ts',
        'sync-child': 'test/unit/archive/fixtures/syncChild.ts',
        'window-child': 'test/unit/archive/fixtures/windowChild.ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      // Self-contained (undici included): the temp dir has no node_modules to resolve from.
      sourcemap: 'inline',
      outdir: dir,
      logLevel: 'error',
    });
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return {
      dir,
      worker: join(dir, 'archive-worker.js'),
      syncWorker: join(dir, 'sync-worker.js'),
      syncChild: join(dir, 'sync-child.js'),
      windowChild: join(dir, 'window-child.js'),
    };
  })();
  return bundles;
}

/** A fresh directory for archive files, removed at exit. */
export function tempDir(prefix = 'archive-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The simulator's current token; "refreshing" asks it again (42001 from the fault plan is transient). */
export function simTokenSource(sim: RunningSimulator): TokenSource {
  return {
    getToken: async () => sim.accessToken,
    refresh: async () => sim.accessToken,
    describe: () => 'simulator',
  };
}

/** The simulator's messages as the client parses them. */
export function simMessages(sim: RunningSimulator, from?: number, to?: number): ArchiveMessage[] {
  return sim.listMessages(from, to).map((m) => parseMessage(m as unknown as Record<string, unknown>)!);
}

export interface ExpectedChat {
  key: string;
  count: number;
  firstTime: number;
  lastTime: number;
  countsByType: Record<number, number>;
  keyVersions: number[];
  members: Set<string>;
  memberTypes: Set<number>;
  chatid?: string;
  senders: Map<string, number>;
}

/** Chat summaries computed in JS from a list of messages: the independent ground truth. */
export function expectedChats(messages: readonly ArchiveMessage[]): Map<string, ExpectedChat> {
  const chats = new Map<string, ExpectedChat>();
  for (const m of messages) {
    const id = chatIdentity(m.chatid, m.sender, m.receivers);
    let c = chats.get(id.key);
    if (!c) {
      c = { key: id.key, count: 0, firstTime: m.sendTime, lastTime: m.sendTime, countsByType: {}, keyVersions: [], members: new Set(), memberTypes: new Set(), senders: new Map(), ...(id.chatid ? { chatid: id.chatid } : {}) };
      chats.set(id.key, c);
    }
    c.count++;
    c.firstTime = Math.min(c.firstTime, m.sendTime);
    c.lastTime = Math.max(c.lastTime, m.sendTime);
    c.countsByType[m.msgtype] = (c.countsByType[m.msgtype] ?? 0) + 1;
    if (m.publicKeyVer !== undefined && !c.keyVersions.includes(m.publicKeyVer)) c.keyVersions.push(m.publicKeyVer);
    c.senders.set(m.sender.id, (c.senders.get(m.sender.id) ?? 0) + 1);
    const parties = id.kind === 'group' ? [m.sender, ...m.receivers] : [m.sender, ...id.parties];
    for (const p of parties) {
      c.members.add(p.id);
      c.memberTypes.add(p.type);
    }
  }
  for (const c of chats.values()) c.keyVersions.sort((a, b) => a - b);
  return chats;
}

export interface Recount {
  messages: number;
  distinctMsgids: number;
  msgids: Set<string>;
  /** key → [count, min time, max time] recounted from the messages table. */
  byChat: Map<string, { count: number; first: number; last: number }>;
  /** key → summary columns as stored. */
  summaries: Map<string, { count: number; first: number; last: number }>;
}

/** Reads the archive file directly (read-only, its own connection) and recounts. */
export function recount(file: string): Recount {
  if (!existsSync(file)) return { messages: 0, distinctMsgids: 0, msgids: new Set(), byChat: new Map(), summaries: new Map() };
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    const msgids = new Set<string>();
    // Ids as bytes: node:sqlite 22 cuts TEXT at a NUL (src/core/archive/sqlText.ts).
    for (const r of db.prepare(`SELECT ${bytesOf('msgid')} FROM messages`).all() as { msgid: Uint8Array }[]) msgids.add(textOf(r.msgid));
    const total = (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    const byChat = new Map<string, { count: number; first: number; last: number }>();
    for (const r of db
      .prepare(`SELECT ${bytesOf('c.key')}, count(*) AS n, min(m.send_time) AS f, max(m.send_time) AS l FROM messages m JOIN chats c ON c.id = m.chat GROUP BY c.id`)
      .all() as { key: Uint8Array; n: number; f: number; l: number }[]) {
      byChat.set(textOf(r.key), { count: r.n, first: r.f, last: r.l });
    }
    const summaries = new Map<string, { count: number; first: number; last: number }>();
    for (const r of db.prepare(`SELECT ${bytesOf('key')}, count, first_time, last_time FROM chats WHERE count > 0`).all() as {
      key: Uint8Array;
      count: number;
      first_time: number;
      last_time: number;
    }[]) {
      summaries.set(textOf(r.key), { count: r.count, first: r.first_time, last: r.last_time });
    }
    return { messages: total, distinctMsgids: msgids.size, msgids, byChat, summaries };
  } finally {
    db.close();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
