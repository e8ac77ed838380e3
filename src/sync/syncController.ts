// wecomArchive.sync / cancelSync and auto-sync: one run per profile at a time (the archive's
// lease also guards other windows), a progress notification with a running count and Cancel,
// the status bar, and gap warnings that say which period is lost.
import * as vscode from 'vscode';
import { resetSyncPosition, SyncBusyError, SyncEngine, type SyncResult } from '../archive';
import { connect } from '../profiles/connect';
import { type Profile, parseCallbackToken } from '../profiles/profile';
import type { ProfileStore } from '../profiles/profileStore';
import type { StatusBar } from '../statusBar';
import { describeError, showError } from '../ui/showError';
import { WeComError } from '../wecom/errors';
import type { Clock } from '../wecom/timing';
import type { ArchiveService } from './archiveService';

export interface SyncOptions {
  /** Auto-sync runs quietly: progress in the status bar only, errors in the log and status bar. */
  quiet?: boolean;
}

export class SyncController implements vscode.Disposable {
  private readonly running = new Map<string, AbortController>();
  private autoTimer: NodeJS.Timeout | undefined;
  private readonly owner = `${vscode.env.sessionId}:${process.pid}`;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly store: ProfileStore,
    private readonly archives: ArchiveService,
    private readonly statusBar: StatusBar,
    private readonly log: vscode.LogOutputChannel,
    /** WeCom's clock for a profile when it is not the real one (demo mode's simulator). */
    private readonly clockOf: (profileId: string) => Clock | undefined = () => undefined,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('wecomArchive.autoSyncMinutes')) this.scheduleAuto();
      }),
    );
    this.scheduleAuto();
  }

  isRunning(profileId: string): boolean {
    return this.running.has(profileId);
  }

  cancel(profileId?: string): void {
    for (const [id, ac] of this.running) if (!profileId || id === profileId) ac.abort();
  }

  /** Shows the last sync time of the active profile in the status bar. */
  async refreshStatus(): Promise<void> {
    const p = this.store.active();
    if (!p || this.running.has(p.id)) return;
    const state = await (await this.archives.get(p.id)).syncState();
    this.statusBar.setStatus(state.lastError && (!state.lastSuccessAt || state.lastError.at > state.lastSuccessAt) ? { state: 'error', message: state.lastError.message } : { state: 'idle', lastSync: state.lastSuccessAt });
  }

  async sync(profile: Profile | undefined = this.store.active(), opts: SyncOptions = {}): Promise<SyncResult | undefined> {
    const t = vscode.l10n.t;
    if (!profile) {
      if (!opts.quiet) void vscode.commands.executeCommand('wecomArchive.addProfile');
      return undefined;
    }
    if (this.running.has(profile.id)) {
      if (!opts.quiet) void vscode.window.showInformationMessage(t('A sync of "{0}" is already running.', profile.name));
      return undefined;
    }
    const ac = new AbortController();
    this.running.set(profile.id, ac);
    const isActive = () => this.store.active()?.id === profile.id;
    if (isActive()) this.statusBar.setStatus({ state: 'syncing', count: 0 });
    try {
      const run = (report: (text: string) => void) => this.run(profile, ac.signal, report, (count) => isActive() && this.statusBar.setStatus({ state: 'syncing', count }));
      const result = opts.quiet
        ? await run(() => undefined)
        : await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: t('Syncing "{0}"', profile.name), cancellable: true },
            (progress, token) => {
              token.onCancellationRequested(() => ac.abort());
              return run((message) => progress.report({ message }));
            },
          );
      this.log.info(`Sync of "${profile.name}": ${result.inserted} new messages in ${result.pages} pages, ${result.durationMs} ms.`);
      if (isActive()) this.statusBar.setStatus({ state: 'idle', lastSync: Date.now() });
      if (!opts.quiet) void vscode.window.setStatusBarMessage(result.inserted === 1 ? t('Synced "{0}": 1 new message.', profile.name) : t('Synced "{0}": {1} new messages.', profile.name, result.inserted.toLocaleString()), 5000);
      return result;
    } catch (e) {
      if (e instanceof WeComError && e.kind === 'cancelled') {
        this.log.info(`Sync of "${profile.name}" cancelled; what was stored stays, the next sync resumes from there.`);
        if (isActive()) void this.refreshStatus();
        return undefined;
      }
      if (e instanceof SyncBusyError) {
        if (!opts.quiet) void vscode.window.showInformationMessage(t('Another VS Code window is syncing "{0}" right now; its results appear here too.', profile.name));
        if (isActive()) void this.refreshStatus();
        return undefined;
      }
      if (isActive()) this.statusBar.setStatus({ state: 'error', message: describeError(e) });
      // The tree shows the last error: tell it the archive's state changed, though no chat did.
      this.archives.fire({ profileId: profile.id, changedChats: [], inserted: 0 });
      if (opts.quiet) this.log.error(`Auto-sync of "${profile.name}" failed: ${e instanceof Error ? e.message : String(e)}`);
      else void showError(t('Sync of "{0}" failed', profile.name), e);
      return undefined;
    } finally {
      this.running.delete(profile.id);
    }
  }

  private async run(profile: Profile, signal: AbortSignal, report: (text: string) => void, onCount: (n: number) => void): Promise<SyncResult> {
    const t = vscode.l10n.t;
    const conn = await connect(profile, (f) => this.store.getSecret(profile.id, f), this.log, {
      onWait: (until) => report(t('Rate limited by WeCom: waiting until {0}…', new Date(until).toLocaleTimeString())),
    });
    // The callback token is valid 10 minutes and may be replaced while we run: read it per request.
    let callback = parseCallbackToken(await this.store.getSecret(profile.id, 'callbackToken'), Date.now());
    const sub = this.store.onDidChange(async (id) => {
      if (id === profile.id) callback = parseCallbackToken(await this.store.getSecret(profile.id, 'callbackToken'), Date.now());
    });
    try {
      const archive = await this.archives.get(profile.id);
      const limit = vscode.workspace.getConfiguration('wecomArchive').get<number>('sync.limit', 1000);
      const engine = new SyncEngine(archive, conn.client, {
        owner: this.owner,
        limit,
        callbackToken: () => (callback && callback.expiresAt > Date.now() ? callback.token : undefined),
      });
      engine.onChange((c) => this.archives.fire({ profileId: profile.id, changedChats: c.changedChats, inserted: c.inserted }));
      return await engine.run({
        signal,
        onProgress: (p) => {
          onCount(p.total);
          report(p.pages === 1 ? t('{0} new messages stored (1 page)', p.total.toLocaleString()) : t('{0} new messages stored ({1} pages)', p.total.toLocaleString(), p.pages.toLocaleString()));
        },
      });
    } finally {
      sub.dispose();
      conn.dispose();
    }
  }

  /**
   * "Reset Sync Position…", after WeCom refused the stored cursor: asks first (it admits a loss),
   * then records the gap and syncs again from the oldest message WeCom keeps.
   */
  async resetPosition(profile: Profile | undefined = this.store.active()): Promise<void> {
    const t = vscode.l10n.t;
    if (!profile) return;
    if (this.running.has(profile.id)) {
      void vscode.window.showInformationMessage(t('A sync of "{0}" is already running.', profile.name));
      return;
    }
    const reset = t('Reset Sync Position');
    const choice = await vscode.window.showWarningMessage(
      t('Reset the sync position of "{0}"?', profile.name),
      {
        modal: true,
        detail: t(
          'Use this only when WeCom refuses the stored position (errcode 50100). The next sync starts from the oldest message WeCom still keeps (the last 3 days); messages between the archive\'s newest message and then are recorded as a gap.',
        ),
      },
      reset,
    );
    if (choice !== reset) return;
    try {
      const gap = await resetSyncPosition(await this.archives.get(profile.id), this.owner, this.clockOf(profile.id));
      this.log.info(`Sync position of "${profile.name}" reset${gap ? `; gap recorded from ${gap.from} to ${gap.to}` : '; nothing is missing'}.`);
      if (gap) this.warnGap(profile, gap.from, gap.to);
      this.archives.fire({ profileId: profile.id, changedChats: [], inserted: 0 });
      await this.sync(profile);
    } catch (e) {
      if (e instanceof SyncBusyError) void vscode.window.showInformationMessage(t('Another VS Code window is syncing "{0}" right now; its results appear here too.', profile.name));
      else void showError(t('Reset of "{0}" failed', profile.name), e);
    }
  }

  private warnGap(profile: Profile, from: number, to: number): void {
    const fmt = (s: number) => new Date(s * 1000).toLocaleString();
    const text = vscode.l10n.t(
      'Messages of "{0}" from {1} to {2} could not be synced: WeCom no longer accepted the stored sync position. The gap is shown in the tree and in the message streams.',
      profile.name,
      fmt(from),
      fmt(to),
    );
    this.log.warn(text);
    void vscode.window.showWarningMessage(text);
  }

  /** Auto-sync: a timer that is re-armed only after a run ends, so runs never overlap. */
  private scheduleAuto(): void {
    if (this.autoTimer) clearTimeout(this.autoTimer);
    this.autoTimer = undefined;
    const minutes = vscode.workspace.getConfiguration('wecomArchive').get<number>('autoSyncMinutes', 0);
    if (!minutes || minutes <= 0) return;
    this.autoTimer = setTimeout(async () => {
      const p = this.store.active();
      if (p) await this.sync(p, { quiet: true });
      this.scheduleAuto();
    }, minutes * 60_000);
  }

  dispose(): void {
    this.cancel();
    if (this.autoTimer) clearTimeout(this.autoTimer);
    for (const s of this.subscriptions) s.dispose();
  }
}
