/**
 * Crash suite: a child process syncing the archive is killed with SIGKILL where something is at
 * stake: while it migrates an archive of the previous schema, a moment after a group commit (the
 * next group open, pages in flight), while a checkpoint runs, and now and then before anything
 * was committed. New messages keep arriving between kills.
 *
 * The oracle is anchored at the start of the first-sync window (the simulator's clock is frozen,
 * so the window is fixed): after every kill the archive holds exactly the window's first k
 * messages for some k — a lost prefix or a hole fails — none twice, chat summaries equal to a
 * recount, and the stored cursor is the one that follows the newest stored message (asking the
 * simulator with it returns message k + 1). A final run must end with exactly the whole window.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { openArchive } from '../../../src/core/archive/archive';
import { MIGRATIONS, migrate } from '../../../src/core/archive/schema';
import { bytesOf, textOf } from '../../../src/core/archive/sqlText';
import { SyncEngine } from '../../../src/core/archive/sync';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator/index';
import { mulberry32 } from '../../../src/core/simulator/prng';
import { WeComClient } from '../../../src/core/wecom/client';
import { type Bundles, buildBundles, DAY, recount, simMessages, simTokenSource, sleep, tempDir } from './helpers';

const MIGRATION_KILLS = 4;
const COMMIT_KILLS = 28;
const COMMIT_EVERY_MS = 40;

let sim: RunningSimulator;
let client: WeComClient;
let bundles: Bundles;
let dir: string;
let file: string;
let windowStart: number;

before(async () => {
  bundles = await buildBundles();
  sim = await startSimulator({
    seed: 51,
    messages: 40_000,
    days: 4,
    startTime: 1_767_225_600,
    frozenClock: true,
    rateLimits: { noTokenPerMinute: 1_000_000 },
  });
  client = new WeComClient({ tokenSource: simTokenSource(sim), baseUrl: sim.url });
  windowStart = sim.now() - 3 * DAY;
  dir = tempDir('crash-');
  file = join(dir, 'crash.sqlite');
});

after(async () => {
  await client?.close();
  await sim?.close();
});

interface Child {
  proc: ChildProcess;
  lines: string[];
  /** The last "checkpoint start|end" line of the checkpointer thread. */
  checkpoint: string | undefined;
  exited: Promise<number | null>;
  /** Resolves when a line satisfies `test` (or the child exits). */
  waitFor(test: (line: string, lines: readonly string[]) => boolean): Promise<void>;
}

function startChild(limit: number): Child {
  const proc = spawn(
    process.execPath,
    [bundles.syncChild, file, bundles.worker, sim.url, sim.accessToken, 'crash-child', String(limit), String(COMMIT_EVERY_MS)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WECOM_ARCHIVE_TRACE_CHECKPOINTS: '1' } },
  );
  const waiters: { test: (line: string, lines: readonly string[]) => boolean; resolve: () => void }[] = [];
  const child: Child = {
    proc,
    lines: [],
    checkpoint: undefined,
    exited: new Promise((resolve) => proc.once('exit', (code) => resolve(code))),
    waitFor: (test) =>
      new Promise<void>((resolve) => {
        waiters.push({ test, resolve });
      }),
  };
  const seen = (line: string): void => {
    for (const w of [...waiters]) {
      if (w.test(line, child.lines)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    child.lines.push(line);
    seen(line);
  });
  createInterface({ input: proc.stderr! }).on('line', (line) => {
    if (!line.startsWith('checkpoint ')) return;
    child.checkpoint = line;
    seen(line);
  });
  void child.exited.then(() => {
    for (const w of waiters.splice(0)) w.resolve();
  });
  return child;
}

/** The stored cursor, read straight from the file. */
function storedCursor(): string | null {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return textOf((db.prepare(`SELECT ${bytesOf('cursor')} FROM sync_state WHERE id = 1`).get() as { cursor: Uint8Array | null }).cursor);
  } finally {
    db.close();
  }
}

/** The archive is the window's first k messages, consistent, with the cursor that follows them. Returns k. */
async function assertPrefix(context: string, whole = false): Promise<number> {
  const window = simMessages(sim, windowStart).map((m) => m.msgid);
  const c = recount(file);
  const k = c.msgids.size;
  assert.equal(c.messages, c.distinctMsgids, `${context}: no msgid twice`);
  assert.deepEqual(c.summaries, c.byChat, `${context}: chat summaries = recount`);
  assert.deepEqual([...c.msgids].sort(), window.slice(0, k).sort(), `${context}: exactly the first ${k} messages of the window`);
  if (whole) assert.equal(k, window.length, `${context}: the whole window`);
  const cursor = storedCursor();
  if (k === 0) {
    assert.equal(cursor, null, `${context}: no cursor without messages`);
  } else {
    assert.ok(cursor, `${context}: a cursor with ${k} messages`);
    const next = await client.syncMsg({ cursor, limit: 1 }, undefined, { cursorFromServer: true });
    assert.deepEqual(
      next.messages.map((m) => m.msgid),
      window.slice(k, k + 1),
      `${context}: the stored cursor follows message ${k}`,
    );
  }
  return k;
}

/** Copies an archive of the current schema into `to` as schema 1 (the previous one), rows and all. */
function asSchema1(from: string, to: string): void {
  const db = new DatabaseSync(to);
  try {
    migrate(db, MIGRATIONS.slice(0, 1));
    db.exec(`ATTACH DATABASE '${from.replaceAll("'", "''")}' AS src`);
    const tables = db.prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
    for (const { name } of tables) {
      const columns = (db.prepare(`PRAGMA main.table_info(${name})`).all() as { name: string }[]).map((c) => c.name).join(', ');
      db.exec(`INSERT OR REPLACE INTO main.${name}(${columns}) SELECT ${columns} FROM src.${name}`);
    }
    db.exec('DETACH DATABASE src');
  } finally {
    db.close();
  }
}

describe('crash suite', () => {
  it(`survives ${MIGRATION_KILLS + COMMIT_KILLS} SIGKILLs during migration, after commits and during checkpoints, and ends with exactly the window`, async () => {
    const seed = Date.now() % 100_000;
    const random = mulberry32(seed);
    const at = (i: number, what: string) => `seed ${seed}, kill ${i} (${what})`;

    // An archive of the previous schema holding the first part of the window.
    const seedFile = join(dir, 'schema2.sqlite');
    const seedArchive = await openArchive(seedFile, { workerPath: bundles.worker });
    const stop = new AbortController();
    await new SyncEngine(seedArchive, client, { owner: 'seed', limit: 100 })
      .run({ signal: stop.signal, onProgress: (p) => p.pages >= 150 && stop.abort() })
      .catch(() => undefined);
    await seedArchive.close();
    asSchema1(seedFile, file);
    const seeded = await assertPrefix('schema-1 archive');
    assert.ok(seeded >= 10_000, `the old archive holds ${seeded} messages`);

    let killedInMigration = 0;
    let killedAfterCommit = 0;
    let killedInCheckpoint = 0;
    let kills = 0;
    for (let i = 0; i < MIGRATION_KILLS; i++) {
      const child = startChild(100);
      await child.waitFor((line) => line === 'upgrading');
      await sleep(random() * 60);
      const migrating = child.lines.includes('upgrading') && !child.lines.includes('ready');
      child.proc.kill('SIGKILL');
      if ((await child.exited) === null) kills++;
      if (migrating) killedInMigration++;
      await assertPrefix(at(i, migrating ? 'migrating' : 'after migration'));
    }

    for (let i = 0; i < COMMIT_KILLS; i++) {
      sim.addMessages(300 + Math.floor(random() * 900));
      const child = startChild(100);
      const mode = random();
      let what: string;
      if (mode < 0.1) {
        what = 'early';
        await sleep(random() * 150);
      } else if (mode < 0.35) {
        what = 'checkpoint';
        await child.waitFor((line, lines) => line === 'checkpoint start' && lines.some((l) => l.startsWith('commit ')));
      } else {
        what = 'after commit';
        const nth = 1 + Math.floor(random() * 3);
        await child.waitFor((_, lines) => lines.filter((l) => l.startsWith('commit ')).length >= nth);
        await sleep(random() * 30);
      }
      const committed = child.lines.some((l) => l.startsWith('commit '));
      const finished = child.lines.some((l) => l.startsWith('done') || l.startsWith('error'));
      const inCheckpoint = child.checkpoint === 'checkpoint start';
      child.proc.kill('SIGKILL');
      if ((await child.exited) !== null) continue; // it ended first: nothing was killed
      kills++;
      if (committed && !finished) killedAfterCommit++;
      if (inCheckpoint && !finished) killedInCheckpoint++;
      assert.ok(!child.lines.some((l) => l.startsWith('error')), `${at(i, what)}: ${child.lines.slice(-3).join(' / ')}`);
      await assertPrefix(at(i, what));
    }
    if (process.env.CRASH_DEBUG) console.log({ kills, killedInMigration, killedAfterCommit, killedInCheckpoint });
    assert.ok(kills >= 30, `seed ${seed}: killed ${kills} times`);
    assert.ok(killedAfterCommit >= 20, `seed ${seed}: killed after a commit ${killedAfterCommit} times`);
    assert.ok(killedInCheckpoint >= 2, `seed ${seed}: killed during a checkpoint ${killedInCheckpoint} times`);
    assert.ok(killedInMigration >= 1, `seed ${seed}: killed during the migration ${killedInMigration} times`);

    sim.addMessages(777);
    const last = startChild(1000);
    assert.equal(await last.exited, 0, last.lines.join('\n'));
    assert.ok(last.lines.some((l) => l.startsWith('done')));
    await assertPrefix('final run', true);
  });
});
