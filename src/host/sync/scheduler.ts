// Background sync of every corp: each at its interval, at most `concurrency` fetching at once, starts
// spaced by `staggerMs` (but a freed place is taken at once), a doubling backoff per corp after
// errors. Pure (no vscode) with injected timers, so tier 1 drives it with a fake clock. The run
// itself (lease, engine, UI) is the caller's.
//
// A run frees its place when its last page has arrived (`release`), not when it ends: what is
// left, storing and committing the pages in hand, is its archive's work, and the next corp's
// requests overlap it. Runs still ending that way are bounded too: never more than `concurrency`
// of them beside the ones fetching.

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** ok: synced. skipped: nothing done and nothing wrong (another window holds the lease, cancelled). */
export type RunOutcome = { kind: 'ok' } | { kind: 'skipped' } | { kind: 'failed'; error: unknown };

export interface SchedulerSettings {
  /** 0 = no background runs (Sync All still runs every corp once). */
  intervalMs: number;
  concurrency: number;
}

export interface SchedulerOptions extends SchedulerSettings {
  timers?: Timers;
  /**
   * Minimum time between two starts, so a window opening does not start every corp in one tick.
   * Not applied to a start that takes the place of a run that just ended: that is no burst, and
   * waiting would only idle the slot (20 short runs would take 20 staggers).
   */
  staggerMs?: number;
  /** First retry after an error; doubles per consecutive error up to `backoffMaxMs`. */
  backoffBaseMs?: number;
  /** Cap of the backoff (never beyond the interval: a failing corp is tried at least as often). */
  backoffMaxMs?: number;
  /** One run of the corp; `release()` says it makes no more requests (its place goes to the next). */
  run(id: string, release: () => void): Promise<RunOutcome>;
}

export interface CorpInit {
  id: string;
  lastSuccessAt?: number;
  /** This corp's own interval instead of the settings' (demo mode's simulator makes messages every minute). */
  intervalMs?: number;
}

export interface CorpSchedule {
  readonly id: string;
  /** When it starts next; undefined when not scheduled (interval 0, or running). */
  dueAt: number | undefined;
  running: boolean;
  lastSuccessAt: number | undefined;
  /** Consecutive failed runs. */
  failures: number;
  failingSince: number | undefined;
}

interface Corp extends CorpSchedule {
  intervalMs: number | undefined;
  /** Running and not released yet: it counts against the concurrency. */
  holdsPlace: boolean;
  removed: boolean;
  /** Asked to sync again while it was running. */
  again: boolean;
}

/** The settings' defaults (package.json): every 30 minutes, two corps at a time. */
export const DEFAULT_INTERVAL_MS = 30 * 60_000;
export const DEFAULT_CONCURRENCY = 2;
export const DEFAULT_STAGGER_MS = 200;
export const DEFAULT_BACKOFF_BASE_MS = 60_000;

export class SyncScheduler {
  private readonly corps = new Map<string, Corp>();
  private readonly timers: Timers;
  private settings: SchedulerSettings;
  private timer: unknown;
  private lastStartAt = Number.NEGATIVE_INFINITY;
  /** Places freed since the last pump: as many starts may skip the stagger in the next one. */
  private freed = 0;
  private started = false;
  private disposed = false;
  private readonly listeners = new Set<(id: string) => void>();

  constructor(private readonly options: SchedulerOptions) {
    this.timers = options.timers ?? realTimers;
    this.settings = { intervalMs: options.intervalMs, concurrency: options.concurrency };
  }

  /** Told whenever a corp starts, ends or is rescheduled. */
  onChange(listener: (id: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The corps to keep (added ones are scheduled, missing ones dropped). A corp whose last success
   * is older than the interval, or that never synced, is due at once; the oldest goes first.
   */
  setCorps(list: readonly CorpInit[]): void {
    const now = this.timers.now();
    const keep = new Set(list.map((c) => c.id));
    for (const c of this.corps.values()) {
      if (keep.has(c.id)) continue;
      c.removed = true;
      this.corps.delete(c.id);
    }
    for (const init of list) {
      const c = this.corps.get(init.id);
      if (!c || c.intervalMs === init.intervalMs) continue;
      c.intervalMs = init.intervalMs;
      if (!c.running) c.dueAt = this.firstDue(c, now);
    }
    const added = list.filter((c) => !this.corps.has(c.id));
    added.sort((a, b) => (a.lastSuccessAt ?? 0) - (b.lastSuccessAt ?? 0));
    for (const init of added) {
      const c: Corp = { id: init.id, dueAt: undefined, running: false, holdsPlace: false, lastSuccessAt: init.lastSuccessAt, failures: 0, failingSince: undefined, intervalMs: init.intervalMs, removed: false, again: false };
      c.dueAt = this.firstDue(c, now);
      this.corps.set(c.id, c);
    }
    this.pump();
  }

  configure(settings: SchedulerSettings): void {
    const was = this.settings.intervalMs;
    this.settings = { intervalMs: Math.max(0, settings.intervalMs), concurrency: Math.max(1, Math.floor(settings.concurrency)) };
    if (was !== this.settings.intervalMs) {
      const now = this.timers.now();
      for (const c of this.corps.values()) if (!c.running) c.dueAt = this.firstDue(c, now);
    }
    this.pump();
  }

  /** Begins scheduling (until then nothing starts, so activation is not slowed). */
  start(): void {
    this.started = true;
    this.pump();
  }

  /** Every corp now, spaced by the stagger and limited by the concurrency like any run. */
  syncAll(): void {
    const now = this.timers.now();
    for (const c of this.corps.values()) {
      if (c.running) c.again = true;
      else c.dueAt = now;
    }
    this.started = true;
    this.pump();
  }

  /**
   * A run this scheduler did not start (the user's Sync Now) ended: it counts like one of ours, so
   * the next background run is an interval after it.
   */
  record(id: string, outcome: RunOutcome): void {
    const c = this.corps.get(id);
    if (!c || c.running) return;
    this.applyOutcome(c, outcome);
    this.pump();
  }

  isRunning(id: string): boolean {
    return this.corps.get(id)?.running === true;
  }

  get(id: string): CorpSchedule | undefined {
    const c = this.corps.get(id);
    return c && { id: c.id, dueAt: c.dueAt, running: c.running, lastSuccessAt: c.lastSuccessAt, failures: c.failures, failingSince: c.failingSince };
  }

  list(): CorpSchedule[] {
    return [...this.corps.keys()].map((id) => this.get(id) as CorpSchedule);
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.listeners.clear();
  }

  private emit(id: string): void {
    for (const l of this.listeners) l(id);
  }

  private intervalOf(c: Corp): number {
    return c.intervalMs ?? this.settings.intervalMs;
  }

  /** Due an interval after its last success, at once if that is past or it never synced. */
  private firstDue(c: Corp, now: number): number | undefined {
    const interval = this.intervalOf(c);
    if (interval <= 0) return undefined;
    return c.lastSuccessAt === undefined ? now : Math.max(now, c.lastSuccessAt + interval);
  }

  private backoffMs(c: Corp): number {
    const base = this.options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
    const interval = this.intervalOf(c);
    const cap = Math.min(this.options.backoffMaxMs ?? Number.POSITIVE_INFINITY, interval > 0 ? interval : Number.POSITIVE_INFINITY);
    return Math.min(cap, base * 2 ** Math.min(30, c.failures - 1));
  }

  private applyOutcome(c: Corp, outcome: RunOutcome): void {
    const now = this.timers.now();
    const interval = this.intervalOf(c);
    if (outcome.kind === 'ok') {
      c.lastSuccessAt = now;
      c.failures = 0;
      c.failingSince = undefined;
      c.dueAt = interval > 0 ? now + interval : undefined;
    } else if (outcome.kind === 'failed') {
      c.failures++;
      c.failingSince ??= now;
      c.dueAt = interval > 0 ? now + this.backoffMs(c) : undefined;
    } else {
      c.dueAt = interval > 0 ? now + interval : undefined;
    }
    if (c.again) {
      c.again = false;
      c.dueAt = now;
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Starts what is due while there is room, then sleeps until the next start is possible. */
  private pump(): void {
    if (this.disposed || !this.started) return;
    this.clearTimer();
    // Only this pass may take the ended runs' places at once; a later start is spaced as usual.
    let refills = this.freed;
    this.freed = 0;
    const now = this.timers.now();
    const stagger = this.options.staggerMs ?? DEFAULT_STAGGER_MS;
    const waiting = [...this.corps.values()].filter((c) => !c.running && c.dueAt !== undefined).sort((a, b) => (a.dueAt as number) - (b.dueAt as number));
    const { concurrency } = this.settings;
    let fetching = 0;
    let running = 0;
    for (const c of this.corps.values()) {
      if (c.holdsPlace) fetching++;
      if (c.running) running++;
    }
    for (const c of waiting) {
      if (fetching >= concurrency || running >= 2 * concurrency) return; // a release or an end pumps again
      const at = Math.max(c.dueAt as number, refills > 0 ? Number.NEGATIVE_INFINITY : this.lastStartAt + stagger);
      if (at > now) {
        this.timer = this.timers.setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, at - now);
        return;
      }
      if (refills > 0) refills--;
      this.begin(c, now);
      fetching++;
      running++;
    }
  }

  private begin(c: Corp, now: number): void {
    c.running = true;
    c.holdsPlace = true;
    c.dueAt = undefined;
    this.lastStartAt = now;
    this.emit(c.id);
    /** Gives the run's place back, once; true if it still held it. */
    const letGo = (): boolean => {
      if (!c.holdsPlace) return false;
      c.holdsPlace = false;
      return true;
    };
    const release = (): void => {
      if (!letGo() || c.removed || this.disposed) return;
      this.freed++;
      this.pump();
    };
    let done: Promise<RunOutcome>;
    try {
      done = this.options.run(c.id, release);
    } catch (error) {
      done = Promise.resolve({ kind: 'failed', error });
    }
    void done
      .catch((error: unknown): RunOutcome => ({ kind: 'failed', error }))
      .then((outcome) => {
        const held = letGo();
        c.running = false;
        if (c.removed || this.disposed) return;
        this.applyOutcome(c, outcome);
        this.emit(c.id);
        if (held) this.freed++;
        this.pump();
      });
  }
}
