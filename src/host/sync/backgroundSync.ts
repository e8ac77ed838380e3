// Every profile syncs in the background (SyncScheduler decides when), quietly; the corps' states
// (syncing / synced / failing / time left before the 5-day deadline) feed the tree and the status
// bar, and a corp near its deadline whose last sync failed gets one warning per deadline.
import * as vscode from 'vscode';
import { type Profile, isTeamProfile } from '../profiles/profile';
import type { ProfileStore } from '../profiles/profileStore';
import type { StatusBar, StatusView } from '../statusBar';
import { mdEscape } from '../chats/chatFormat';
import { recordableError } from '../../core/archive';
import { describeRecordedError } from '../l10n/showError';
import type { ArchiveService } from './archiveService';
import { type CorpHealth, type CorpSyncFacts, corpHealth, formatSpan, healthText, needsWarning, summarize, summaryText } from './deadline';
import { DEFAULT_CONCURRENCY, DEFAULT_INTERVAL_MS, type RunOutcome, type SchedulerSettings, SyncScheduler } from './scheduler';
import type { SyncController } from './syncController';

/** After activation, before the first background run: the window is busy starting up. */
const START_DELAY_MS = 3000;
/** "synced 3 min ago" and the time left move on: re-render this often. */
const TICK_MS = 60_000;
/** Demo mode's simulator makes messages all the time: its corp syncs every minute, whatever the setting. */
export const DEMO_INTERVAL_MS = 60_000;
/** A team corp's state is read from its service at most this often. */
const TEAM_STATE_MS = 2000;

export function schedulerSettings(): SchedulerSettings {
  const cfg = vscode.workspace.getConfiguration('wecomArchive.sync');
  return {
    intervalMs: Math.max(0, cfg.get<number>('intervalMinutes', DEFAULT_INTERVAL_MS / 60_000)) * 60_000,
    concurrency: Math.max(1, cfg.get<number>('concurrency', DEFAULT_CONCURRENCY)),
  };
}

export class BackgroundSync implements vscode.Disposable {
  private readonly scheduler: SyncScheduler;
  private readonly facts = new Map<string, CorpSyncFacts>();
  /** The deadline a warning was shown for, per profile: once per deadline, not once per minute. */
  private readonly warned = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** A profile's state text changed (the tree refreshes that node). */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly tick: NodeJS.Timeout;
  private startTimer: NodeJS.Timeout | undefined;
  private renderQueued = false;
  private readonly teamReads = new Set<string>();
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly profiles: ProfileStore,
    private readonly archives: ArchiveService,
    private readonly controller: SyncController,
    private readonly statusBar: StatusBar,
    private readonly log: vscode.LogOutputChannel,
    /** Whether a profile can sync now (demo mode's profile only while its simulator runs). */
    private readonly canSync: (profile: Profile) => boolean,
  ) {
    this.scheduler = new SyncScheduler({ ...schedulerSettings(), run: (id, release) => this.runInBackground(id, release) });
    this.subscriptions.push(
      profiles.onDidChange(() => void this.reload()),
      controller.onDidProgress(({ profileId, count }) => {
        this.factsOf(profileId).syncing = count;
        this.queueRender();
      }),
      controller.onDidEnd((end) => void this.ended(end.profileId, end.outcome)),
      // A team corp's state is the service's: read again when the service stored something.
      archives.onDidChange((c) => this.refreshTeamState(c.profileId)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('wecomArchive.sync')) this.scheduler.configure(schedulerSettings());
      }),
    );
    this.tick = setInterval(() => {
      for (const p of this.profiles.list()) if (isTeamProfile(p)) this.refreshTeamState(p.id);
      this.render();
    }, TICK_MS);
    void this.reload().then(() => {
      this.startTimer = setTimeout(() => this.scheduler.start(), START_DELAY_MS);
    });
  }

  /** Every corp now (within the concurrency), quietly. */
  syncAll(): void {
    this.scheduler.syncAll();
  }

  health(profileId: string, now = Date.now()): CorpHealth {
    return corpHealth(this.facts.get(profileId) ?? {}, now);
  }

  /** The profile node's state in the tree. */
  stateText(profileId: string): string | undefined {
    if (!this.facts.has(profileId)) return undefined;
    const profile = this.profiles.get(profileId);
    return profile && this.describe(profile, this.health(profileId), Date.now());
  }

  /** A corp's state in words; a team corp's is the service's ("service: synced 3 min ago"). */
  private describe(profile: Profile, h: CorpHealth, now: number): string {
    const text = healthText(h, now, vscode.l10n.t, (ms) => new Date(ms).toLocaleString());
    return isTeamProfile(profile) ? vscode.l10n.t('service: {0}', text) : text;
  }

  /** Reads a team corp's state from its service, at most once per TEAM_STATE_MS (stored events come with every page). */
  private refreshTeamState(profileId: string): void {
    const profile = this.profiles.get(profileId);
    if (!profile || !isTeamProfile(profile) || this.teamReads.has(profileId)) return;
    this.teamReads.add(profileId);
    setTimeout(() => {
      void this.readState(profileId).then(() => {
        this.teamReads.delete(profileId);
        this.render();
      });
    }, TEAM_STATE_MS);
  }

  private factsOf(profileId: string): CorpSyncFacts {
    let f = this.facts.get(profileId);
    if (!f) {
      f = {};
      this.facts.set(profileId, f);
    }
    return f;
  }

  /** Reads each profile's last success and error from its archive, then hands the corps to the scheduler. */
  private reload(): Promise<void> {
    this.loading = this.loading.then(async () => {
      const list = this.profiles.list();
      const ids = new Set(list.map((p) => p.id));
      for (const id of [...this.facts.keys()]) if (!ids.has(id)) this.facts.delete(id);
      for (const p of list) if (!this.facts.has(p.id)) await this.readState(p.id);
      // A team corp is synced by its service: never scheduled here.
      this.scheduler.setCorps(list.filter((p) => !isTeamProfile(p)).map((p) => ({ id: p.id, lastSuccessAt: this.facts.get(p.id)?.lastSuccessAt, ...(p.demo ? { intervalMs: DEMO_INTERVAL_MS } : {}) })));
      this.render();
    });
    return this.loading;
  }

  private async readState(profileId: string): Promise<void> {
    const f = this.factsOf(profileId);
    const profile = this.profiles.get(profileId);
    const team = profile !== undefined && isTeamProfile(profile);
    try {
      const state = await (await this.archives.get(profileId)).syncState();
      f.lastSuccessAt = state.lastSuccessAt;
      // A team corp's state is the service's, whole. Here, an error the run recorded outside the
      // archive (no connection at all) stays until a success.
      if (team) f.lastError = state.lastError;
      else if (state.lastError && (!f.lastError || state.lastError.at >= f.lastError.at)) f.lastError = state.lastError;
    } catch (e) {
      // An unreachable service is this corp's trouble as the reader sees it.
      if (team) f.lastError = { message: recordableError(e), at: Date.now() };
      this.log.warn(`The archive of profile ${profileId} could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async runInBackground(profileId: string, release: () => void): Promise<RunOutcome> {
    const profile = this.profiles.get(profileId);
    if (!profile || !this.canSync(profile)) return { kind: 'skipped' };
    return (await this.controller.syncOutcome(profile, { quiet: true, onFetched: release })).outcome;
  }

  private async ended(profileId: string, outcome: RunOutcome): Promise<void> {
    const f = this.factsOf(profileId);
    f.syncing = undefined;
    await this.readState(profileId);
    if (outcome.kind === 'failed') {
      if (!f.lastError || f.lastError.at <= (f.lastSuccessAt ?? 0)) f.lastError = { message: recordableError(outcome.error), at: Date.now() };
    }
    // A run the user started counts for the schedule too (ours are recorded by the scheduler).
    if (!this.scheduler.isRunning(profileId)) this.scheduler.record(profileId, outcome);
    this.render();
  }

  private queueRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    setTimeout(() => {
      this.renderQueued = false;
      this.render();
    }, 500);
  }

  private render(): void {
    const now = Date.now();
    const list = this.profiles.list();
    const healths = list.map((p) => ({ p, h: this.health(p.id, now) }));
    for (const { p } of healths) {
      const text = this.stateText(p.id) ?? '';
      if (this.texts.get(p.id) !== text) {
        this.texts.set(p.id, text);
        this.changed.fire(p.id);
      }
    }
    this.statusBar.show(this.statusView(healths, now));
    for (const { p, h } of healths) this.warnIfNeeded(p, h);
  }

  private statusView(healths: { p: Profile; h: CorpHealth }[], now: number): StatusView | undefined {
    const t = vscode.l10n.t;
    if (healths.length === 0) return undefined;
    const s = summarize(healths.map((x) => x.h));
    const severity = s.atRisk > 0 ? 'warning' : s.failing > 0 ? 'error' : s.syncing > 0 ? 'syncing' : 'ok';
    const lines = healths.map(({ p, h }) => `${mdEscape(p.name)}: ${mdEscape(this.describe(p, h, now))}`);
    const single = healths.length === 1 ? healths[0] : undefined;
    const demo = healths.some(({ p }) => p.demo === true);
    const text = single ? `${single.p.name}${single.p.demo ? ` ${t('[DEMO]')}` : ''} · ${this.describe(single.p, single.h, now)}` : `${summaryText(s, t)}${demo ? ` ${t('[DEMO]')}` : ''}`;
    // Team corps are synced by their service: with nothing to sync here, a click shows the log.
    const syncable = healths.some(({ p }) => !isTeamProfile(p));
    const showsLog = severity === 'error' || severity === 'warning' || (severity === 'ok' && !syncable);
    const hint = severity === 'syncing' ? t('Click to cancel.') : showsLog ? t('Click to show the log.') : t('Click to sync every corp now.');
    const command = severity === 'syncing' ? 'wecomArchive.cancelSync' : showsLog ? 'wecomArchive.showLog' : 'wecomArchive.syncAll';
    return { text, tooltip: `${lines.join('\n\n')}\n\n---\n\n${hint}`, severity, demo, command };
  }

  private warnIfNeeded(profile: Profile, h: CorpHealth): void {
    if (!needsWarning(h) || h.kind !== 'atRisk') return;
    if (this.warned.get(profile.id) === h.deadlineAt) return;
    this.warned.set(profile.id, h.deadlineAt);
    const t = vscode.l10n.t;
    const recorded = this.facts.get(profile.id)?.lastError?.message;
    const error = recorded === undefined ? '' : describeRecordedError(recorded);
    const text = t(
      '"{0}": {1} left before WeCom drops messages that are not in the archive yet (5 days after the last successful sync), and its last sync failed: {2}',
      profile.name,
      formatSpan(h.leftMs, t),
      error,
    );
    this.log.warn(text);
    const syncNow = t('Sync Now');
    const showLog = t('Show Log');
    void vscode.window.showWarningMessage(text, syncNow, showLog).then((choice) => {
      if (choice === syncNow) void this.controller.sync(profile);
      if (choice === showLog) this.log.show();
    });
  }

  dispose(): void {
    clearInterval(this.tick);
    if (this.startTimer) clearTimeout(this.startTimer);
    this.scheduler.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
