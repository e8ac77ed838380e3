// The background scheduler on a fake clock: 5 corps, concurrency 2, one always failing. Intervals
// are kept, runs never overlap, the failing corp backs off (doubling, capped at the interval) and
// the others keep their schedule.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_CONCURRENCY, DEFAULT_INTERVAL_MS, type RunOutcome, SyncScheduler } from '../../../src/host/sync/scheduler';
import { repoRoot } from '../../harness/paths';
import { FakeTimers } from './fakeTimers';

const MIN = 60_000;
const T0 = 1_780_000_000_000;

interface Run {
  id: string;
  start: number;
  end: number;
  ok: boolean;
}

/** `fetchMs`: a run releases its place after this long, then goes on for the rest of its duration (storing). */
function harness(opts: { durations: Record<string, number>; fetchMs?: number; failing?: Set<string>; intervalMs?: number; concurrency?: number }) {
  const clock = new FakeTimers(T0);
  const runs: Run[] = [];
  const live = new Set<string>();
  const fetching = new Set<string>();
  let maxLive = 0;
  let maxFetching = 0;
  let overlapSameCorp = 0;
  const scheduler = new SyncScheduler({
    intervalMs: opts.intervalMs ?? 30 * MIN,
    concurrency: opts.concurrency ?? 2,
    staggerMs: 1000,
    backoffBaseMs: MIN,
    timers: clock,
    run: async (id, release): Promise<RunOutcome> => {
      if (live.has(id)) overlapSameCorp++;
      live.add(id);
      fetching.add(id);
      maxLive = Math.max(maxLive, live.size);
      maxFetching = Math.max(maxFetching, fetching.size);
      const start = clock.now();
      const duration = opts.durations[id] ?? 10_000;
      const fetchMs = Math.min(duration, opts.fetchMs ?? duration);
      await clock.sleep(fetchMs);
      fetching.delete(id);
      if (opts.fetchMs !== undefined) release();
      await clock.sleep(duration - fetchMs);
      live.delete(id);
      const ok = !opts.failing?.has(id);
      runs.push({ id, start, end: clock.now(), ok });
      return ok ? { kind: 'ok' } : { kind: 'failed', error: new Error('simulated 40014') };
    },
  });
  return { clock, scheduler, runs, stats: () => ({ maxLive, maxFetching, overlapSameCorp }) };
}

const of = (runs: Run[], id: string) => runs.filter((r) => r.id === id);

describe('SyncScheduler (fake clock)', () => {
  it('5 corps, concurrency 2, one failing: intervals kept, no overlap, backoff for the failing one only', async () => {
    const durations = { a: 20_000, b: 45_000, c: 5_000, d: 30_000, e: 10_000 };
    const h = harness({ durations, failing: new Set(['c']) });
    // a, b, c never synced or long ago: due at once; d synced 10 min ago: due 20 min from now.
    h.scheduler.setCorps([
      { id: 'a', lastSuccessAt: T0 - 3 * 86_400_000 },
      { id: 'b' },
      { id: 'c', lastSuccessAt: T0 - 40 * MIN },
      { id: 'd', lastSuccessAt: T0 - 10 * MIN },
      { id: 'e', lastSuccessAt: T0 - 31 * MIN },
    ]);
    h.scheduler.start();
    await h.clock.advance(6 * 60 * MIN);

    const { maxLive, overlapSameCorp } = h.stats();
    assert.equal(maxLive, 2, 'at most 2 at once, and the limit is used');
    assert.equal(overlapSameCorp, 0);
    // Overdue corps start at once, oldest first, spaced by the stagger and limited to 2 at a time.
    const firsts = ['b', 'a', 'c', 'e'].map((id) => of(h.runs, id)[0]!.start - T0);
    assert.deepEqual(firsts.slice(0, 2), [0, 1000]);
    assert.ok(firsts[2]! <= 45_000 && firsts[3]! <= 60_000, `first starts ${firsts}`);
    assert.equal(of(h.runs, 'd')[0]!.start, T0 + 20 * MIN, 'd is due an interval after its last success');

    for (const id of ['a', 'b', 'd', 'e']) {
      const rs = of(h.runs, id);
      for (let i = 1; i < rs.length; i++) {
        const wait = rs[i]!.start - rs[i - 1]!.end;
        assert.ok(wait >= 30 * MIN && wait <= 30 * MIN + 60_000, `${id} run ${i} started ${wait} ms after the previous one ended`);
      }
      assert.ok(rs.length >= 11, `${id} ran ${rs.length} times in 6 h`);
    }
    // The failing corp: 1, 2, 4, 8, 16 min, then every 30 min (never less often than the interval).
    const c = of(h.runs, 'c');
    const waits = c.slice(1).map((r, i) => r.start - c[i]!.end);
    const expected = [1, 2, 4, 8, 16, 30, 30, 30].map((m) => m * MIN);
    for (let i = 0; i < expected.length; i++) {
      assert.ok(waits[i]! >= expected[i]! && waits[i]! <= expected[i]! + 60_000, `c retry ${i + 1} after ${waits[i]} ms, expected ${expected[i]}`);
    }
    assert.equal(h.scheduler.get('c')!.failures, c.length);
    assert.equal(h.scheduler.get('c')!.failingSince, c[0]!.end);
    assert.equal(h.scheduler.get('a')!.failures, 0);
    h.scheduler.dispose();
  });

  it('a failure streak ends with the first success, and the normal interval returns', async () => {
    const failing = new Set(['x']);
    const h = harness({ durations: { x: 1000 }, failing });
    h.scheduler.setCorps([{ id: 'x' }]);
    h.scheduler.start();
    await h.clock.advance(4 * MIN); // fails at 0, +1 min, +2 min
    assert.equal(h.scheduler.get('x')!.failures, 3);
    failing.delete('x');
    await h.clock.advance(5 * MIN); // the retry 4 min after the third failure succeeds
    const s = h.scheduler.get('x')!;
    assert.equal(s.failures, 0);
    assert.equal(s.failingSince, undefined);
    assert.equal(s.dueAt, s.lastSuccessAt! + 30 * MIN);
    h.scheduler.dispose();
  });

  it('a corp with its own interval (demo mode: every minute) keeps it, the others keep the setting\'s, even when that is 0', async () => {
    for (const setting of [30 * MIN, 0]) {
      const h = harness({ durations: { demo: 1000, real: 1000 }, intervalMs: setting });
      h.scheduler.setCorps([
        { id: 'demo', lastSuccessAt: T0, intervalMs: MIN },
        { id: 'real', lastSuccessAt: T0 },
      ]);
      h.scheduler.start();
      await h.clock.advance(10 * MIN + 30_000);
      const demo = of(h.runs, 'demo');
      assert.equal(demo.length, 10, `demo ran ${demo.length} times in 10 min (setting ${setting})`);
      for (let i = 1; i < demo.length; i++) assert.equal(demo[i]!.start - demo[i - 1]!.end, MIN);
      assert.equal(of(h.runs, 'real').length, 0);
      // Its own interval can change (or go) without re-adding the corp.
      h.scheduler.setCorps([{ id: 'demo', lastSuccessAt: T0 }, { id: 'real', lastSuccessAt: T0 }]);
      const before = demo.length;
      await h.clock.advance(10 * MIN);
      assert.equal(of(h.runs, 'demo').length, before, 'back on the setting\'s interval');
      h.scheduler.dispose();
    }
  });

  it('interval 0: nothing runs by itself; Sync All runs every corp once within the concurrency', async () => {
    const h = harness({ durations: { a: 5000, b: 5000, c: 5000 }, intervalMs: 0 });
    h.scheduler.setCorps([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    h.scheduler.start();
    await h.clock.advance(120 * MIN);
    assert.equal(h.runs.length, 0);
    h.scheduler.syncAll();
    await h.clock.advance(120 * MIN);
    assert.deepEqual(h.runs.map((r) => r.id).sort(), ['a', 'b', 'c']);
    assert.equal(h.stats().maxLive, 2);
    h.scheduler.dispose();
  });

  it('the stagger spaces a burst of starts, not a start that takes the place of a run that just ended', async () => {
    // Before, every start waited a stagger after the previous one: c at 2000, d at 3000.
    const h = harness({ durations: { a: 1500, b: 600, c: 5000, d: 5000, e: 5000 }, intervalMs: 0 });
    h.scheduler.setCorps(['a', 'b', 'c', 'd', 'e'].map((id) => ({ id })));
    h.scheduler.syncAll();
    await h.clock.advance(30_000);
    const starts = ['a', 'b', 'c', 'd', 'e'].map((id) => of(h.runs, id)[0]!.start - T0);
    assert.deepEqual(starts, [0, 1000, 1500, 1600, 6500], 'b waits the stagger; c, d and e take an ended run\'s place at once');
    assert.equal(h.stats().maxLive, 2);
    h.scheduler.dispose();
  });

  it('a run that has fetched its last page gives its place to the next corp while it stores; at most twice the concurrency run at once', async () => {
    // Each run fetches for 1500 ms, then stores for 400 ms (its final commit) without a request.
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const h = harness({ durations: Object.fromEntries(ids.map((id) => [id, 1900])), fetchMs: 1500, intervalMs: 0 });
    h.scheduler.setCorps(ids.map((id) => ({ id })));
    h.scheduler.syncAll();
    await h.clock.advance(30_000);
    const starts = ids.map((id) => of(h.runs, id)[0]!.start - T0);
    // b waits the stagger; c takes a's place when a's last page is in (1500), not when a ends (1900).
    assert.deepEqual(starts, [0, 1000, 1500, 2500, 3000, 4000]);
    assert.equal(h.stats().maxFetching, 2, 'never more than 2 fetching, and the limit is used');
    assert.equal(h.stats().maxLive, 3, 'a storing run beside two fetching ones');
    assert.equal(h.stats().overlapSameCorp, 0);

    // Storing that outlasts fetching by far: the runs still storing are bounded too.
    const slow = harness({ durations: Object.fromEntries(ids.map((id) => [id, 10_000])), fetchMs: 100, intervalMs: 0 });
    slow.scheduler.setCorps(ids.map((id) => ({ id })));
    slow.scheduler.syncAll();
    await slow.clock.advance(60_000);
    assert.equal(slow.stats().maxLive, 4, 'at most 2 × concurrency runs at once');
    assert.equal(slow.runs.length, 6);
    const fifth = of(slow.runs, 'e')[0]!;
    assert.equal(fifth.start, of(slow.runs, 'a')[0]!.end, 'the fifth waits for a run to end');
    h.scheduler.dispose();
    slow.scheduler.dispose();
  });

  it('a run the user started counts: the next background run is an interval after it', async () => {
    const h = harness({ durations: { a: 1000 } });
    h.scheduler.setCorps([{ id: 'a', lastSuccessAt: T0 }]);
    h.scheduler.start();
    await h.clock.advance(20 * MIN);
    h.scheduler.record('a', { kind: 'ok' });
    await h.clock.advance(29 * MIN);
    assert.equal(h.runs.length, 0, 'not at T0 + 30 min: the manual run at +20 min moved it');
    await h.clock.advance(2 * MIN);
    assert.equal(h.runs.length, 1);
    assert.equal(h.runs[0]!.start, T0 + 50 * MIN);
    h.scheduler.dispose();
  });

  it('Sync All while a corp runs queues one more run of it, never a second one at the same time', async () => {
    const h = harness({ durations: { a: 10_000 } });
    h.scheduler.setCorps([{ id: 'a' }]);
    h.scheduler.start();
    await h.clock.advance(2000);
    assert.equal(h.scheduler.isRunning('a'), true);
    h.scheduler.syncAll();
    await h.clock.advance(30_000);
    assert.equal(h.runs.length, 2);
    assert.ok(h.runs[1]!.start >= h.runs[0]!.end);
    assert.equal(h.stats().overlapSameCorp, 0);
    h.scheduler.dispose();
  });

  it('a removed corp is not run again; a run that throws counts as a failure', async () => {
    const clock = new FakeTimers(T0);
    let calls = 0;
    const s = new SyncScheduler({
      intervalMs: 10 * MIN,
      concurrency: 1,
      staggerMs: 0,
      backoffBaseMs: MIN,
      timers: clock,
      run: () => {
        calls++;
        throw new Error('boom');
      },
    });
    s.setCorps([{ id: 'a' }, { id: 'b' }]);
    s.start();
    await clock.advance(0);
    assert.equal(calls, 2);
    assert.equal(s.get('a')!.failures, 1);
    s.setCorps([{ id: 'b' }]);
    await clock.advance(60 * MIN);
    assert.equal(s.get('a'), undefined);
    assert.ok(s.get('b')!.failures >= 4);
    s.dispose();
  });
});

describe('background sync settings', () => {
  it("the manifest's defaults are the scheduler's, and both settings are application-scoped (they decide what leaves the machine)", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default?: unknown; scope?: string }> } } };
    const props = pkg.contributes.configuration.properties;
    assert.equal(props['wecomArchive.sync.intervalMinutes']?.default, DEFAULT_INTERVAL_MS / MIN);
    assert.equal(props['wecomArchive.sync.concurrency']?.default, DEFAULT_CONCURRENCY);
    assert.equal(props['wecomArchive.sync.intervalMinutes']?.scope, 'application');
    assert.equal(props['wecomArchive.sync.concurrency']?.scope, 'application');
  });
});
