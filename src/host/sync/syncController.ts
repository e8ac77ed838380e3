// wecomArchive.sync / cancelSync: one run per profile at a time (the archive's lease also guards
// other windows), a progress notification with a running count and Cancel, and gap warnings that
// say which period is lost. Background runs (quiet) come from BackgroundSync; every run reports
// its progress and its end, which feed the tree's corp states and the status bar.
import * as vscode from 'vscode';
import { SyncBusyError, type SyncResult } from '../../core/archive';
import { connect, proxyFromSettings } from '../profiles/connect';
import { type Profile, isTeamProfile, parseCallbackToken } from '../profiles/profile';
import type { ProfileStore } from '../profiles/profileStore';
import { describeError, showError } from '../l10n/showError';
import { CallbackTokenService, RunCallbackToken } from '../../core/wecom/callbackTokens';
import { WeComError } from '../../core/wecom/errors';
import type { Clock } from '../../core/wecom/timing';
import { HttpTransport } from '../../core/wecom/transport';
import type { ArchiveService } from './archiveService';
import type { RunOutcome } from './scheduler';

export interface SyncOptions {
  /** Auto-sync runs quietly: progress in the status bar only, errors in the log and status bar. */
  quiet?: boolean;
  /** Told once the run's last page has arrived (RunOptions.onFetched): the scheduler's place is free. */
  onFetched?: () => void;
}

export interface SyncEnd {
  profileId: string;
  outcome: RunOutcome;
  quiet: boolean;
}

export class SyncController implements vscode.Disposable {
  private readonly running = new Map<string, { ac: AbortController; done: Promise<{ outcome: RunOutcome; result?: SyncResult }> }>();
  private readonly owner = `${vscode.env.sessionId}:${process.pid}`;
  private readonly progressed = new vscode.EventEmitter<{ profileId: string; count: number }>();
  /** A run stored more messages (count so far; 0 when it starts). */
  readonly onDidProgress = this.progressed.event;
  private readonly ended = new vscode.EventEmitter<SyncEnd>();
  /** Every run's end, whoever started it. */
  readonly onDidEnd = this.ended.event;

  constructor(
    private readonly store: ProfileStore,
    private readonly archives: ArchiveService,
    private readonly log: vscode.LogOutputChannel,
    /** WeCom's clock for a profile when it is not the real one (demo mode's simulator). */
    private readonly clockOf: (profileId: string) => Clock | undefined = () => undefined,
  ) {}

  isRunning(profileId: string): boolean {
    return this.running.has(profileId);
  }

  cancel(profileId?: string): void {
    for (const [id, run] of this.running) if (!profileId || id === profileId) run.ac.abort();
  }

  async sync(profile: Profile | undefined = this.store.active(), opts: SyncOptions = {}): Promise<SyncResult | undefined> {
    return (await this.syncOutcome(profile, opts)).result;
  }

  /** Like sync(), and says how the run ended (the scheduler backs off after failures). */
  async syncOutcome(profile: Profile | undefined, opts: SyncOptions = {}): Promise<{ outcome: RunOutcome; result?: SyncResult }> {
    if (!profile) {
      if (!opts.quiet) void vscode.commands.executeCommand('wecomArchive.addProfile');
      return { outcome: { kind: 'skipped' } };
    }
    if (isTeamProfile(profile)) {
      if (!opts.quiet) this.sayKeptByService(profile);
      return { outcome: { kind: 'skipped' } };
    }
    const current = this.running.get(profile.id);
    // Already running (often quietly, in the background): join it rather than start a second one.
    if (current) return opts.quiet ? current.done : this.follow(profile, current);
    const ac = new AbortController();
    const entry = { ac, done: Promise.resolve<{ outcome: RunOutcome; result?: SyncResult }>({ outcome: { kind: 'skipped' } }) };
    this.running.set(profile.id, entry);
    entry.done = this.execute(profile, ac, opts);
    return entry.done;
  }

  /** The user asked for a sync that runs already: its progress notification, with Cancel, until it ends. */
  private follow(profile: Profile, run: { ac: AbortController; done: Promise<{ outcome: RunOutcome; result?: SyncResult }> }): Thenable<{ outcome: RunOutcome; result?: SyncResult }> {
    const t = vscode.l10n.t;
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: t('Syncing "{0}"', profile.name), cancellable: true }, (progress, token) => {
      token.onCancellationRequested(() => run.ac.abort());
      const sub = this.onDidProgress((p) => {
        if (p.profileId === profile.id) progress.report({ message: t('{0} new messages stored', p.count.toLocaleString()) });
      });
      return run.done.finally(() => sub.dispose()).then((ended) => {
        // A background run says nothing when it fails; the user who waited for it is told.
        if (ended.outcome.kind === 'failed') void showError(t('Sync of "{0}" failed', profile.name), ended.outcome.error);
        return ended;
      });
    });
  }

  private async execute(profile: Profile, ac: AbortController, opts: SyncOptions): Promise<{ outcome: RunOutcome; result?: SyncResult }> {
    const t = vscode.l10n.t;
    const quiet = opts.quiet === true;
    const end = (outcome: RunOutcome, result?: SyncResult) => {
      this.running.delete(profile.id);
      this.ended.fire({ profileId: profile.id, outcome, quiet });
      return result ? { outcome, result } : { outcome };
    };
    this.progressed.fire({ profileId: profile.id, count: 0 });
    try {
      const run = (report: (text: string) => void) => this.run(profile, { signal: ac.signal, onFetched: opts.onFetched }, report, (count) => this.progressed.fire({ profileId: profile.id, count }));
      const result = quiet
        ? await run(() => undefined)
        : await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: t('Syncing "{0}"', profile.name), cancellable: true },
            (progress, token) => {
              token.onCancellationRequested(() => ac.abort());
              return run((message) => progress.report({ message }));
            },
          );
      this.log.info(`Sync of "${profile.name}": ${result.inserted} new messages in ${result.pages} pages, ${result.durationMs} ms.`);
      if (!quiet) void vscode.window.setStatusBarMessage(result.inserted === 1 ? t('Synced "{0}": 1 new message.', profile.name) : t('Synced "{0}": {1} new messages.', profile.name, result.inserted.toLocaleString()), 5000);
      return end({ kind: 'ok' }, result);
    } catch (e) {
      if (e instanceof WeComError && e.kind === 'cancelled') {
        this.log.info(`Sync of "${profile.name}" cancelled; what was stored stays, the next sync resumes from there.`);
        return end({ kind: 'skipped' });
      }
      if (e instanceof SyncBusyError) {
        if (!quiet) this.sayBusy(profile);
        else this.log.info(`Background sync of "${profile.name}" skipped: another window is syncing it.`);
        return end({ kind: 'skipped' });
      }
      if (quiet) this.log.error(`Background sync of "${profile.name}" failed: ${describeError(e)}`);
      else void showError(t('Sync of "{0}" failed', profile.name), e);
      return end({ kind: 'failed', error: e });
    }
  }

  private async run(profile: Profile, { signal, onFetched }: { signal: AbortSignal; onFetched?: () => void }, report: (text: string) => void, onCount: (n: number) => void): Promise<SyncResult> {
    const t = vscode.l10n.t;
    const tokens = await this.callbackTokens(profile);
    const conn = await connect(profile, (f) => this.store.getSecret(profile.id, f), this.log);
    try {
      await tokens.token.prepare(signal);
      const limit = vscode.workspace.getConfiguration('wecomArchive').get<number>('sync.limit', 1000);
      // The engine runs on the sync thread: this thread (every extension's) only hears of progress.
      return await this.archives.sync(
        profile.id,
        {
          owner: this.owner,
          limit,
          client: conn.clientSpec,
          tokenSource: conn.tokenSource,
          callbackToken: () => tokens.token.current(),
          logger: this.log,
          debug: this.log.logLevel !== vscode.LogLevel.Off && this.log.logLevel <= vscode.LogLevel.Debug,
          onWait: (until) => {
            // WeCom treats a refused callback token like none: the strict limit. Ask for a new one.
            tokens.token.refused();
            report(t('Rate limited by WeCom: waiting until {0}…', new Date(until).toLocaleTimeString()));
          },
        },
        {
          signal,
          onFetched,
          onProgress: (p) => {
            onCount(p.total);
            report(p.pages === 1 ? t('{0} new messages stored (1 page)', p.total.toLocaleString()) : t('{0} new messages stored ({1} pages)', p.total.toLocaleString(), p.pages.toLocaleString()));
          },
        },
      );
    } finally {
      tokens.dispose();
      conn.dispose();
    }
  }

  /** The run's callback token: from the profile's token service if it names one, else the pasted one. */
  private async callbackTokens(profile: Profile): Promise<{ token: RunCallbackToken; dispose(): void }> {
    // The pasted token may be replaced while we run: read it again when it changes.
    let pasted = parseCallbackToken(await this.store.getSecret(profile.id, 'callbackToken'), Date.now());
    const sub = this.store.onDidChange(async (id) => {
      if (id === profile.id) pasted = parseCallbackToken(await this.store.getSecret(profile.id, 'callbackToken'), Date.now());
    });
    let transport: HttpTransport | undefined;
    let fetcher: CallbackTokenService | undefined;
    if (profile.callbackTokenUrl) {
      const proxy = proxyFromSettings();
      transport = new HttpTransport({ proxy, strictSSL: proxy?.strictSSL });
      const bearerSecret = (await this.store.getSecret(profile.id, 'callbackServiceSecret')) || undefined;
      try {
        fetcher = new CallbackTokenService({ url: profile.callbackTokenUrl, transport, ...(bearerSecret ? { bearerSecret } : {}) });
      } catch (e) {
        sub.dispose();
        void transport.close();
        throw e;
      }
    }
    const token = new RunCallbackToken(fetcher, () => pasted, this.log);
    return {
      token,
      dispose: () => {
        sub.dispose();
        void transport?.close();
      },
    };
  }

  /**
   * "Reset Sync Position…", after WeCom refused the stored cursor: asks first (it admits a loss),
   * then records the gap and syncs again from the oldest message WeCom keeps.
   */
  async resetPosition(profile: Profile | undefined = this.store.active()): Promise<void> {
    const t = vscode.l10n.t;
    if (!profile) return;
    if (isTeamProfile(profile)) {
      this.sayKeptByService(profile);
      return;
    }
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
      const gap = await this.archives.resetPosition(profile.id, this.owner, this.clockOf(profile.id));
      this.log.info(`Sync position of "${profile.name}" reset${gap ? `; gap recorded from ${gap.from} to ${gap.to}` : '; nothing is missing'}.`);
      if (gap) this.warnGap(profile, gap.from, gap.to);
      await this.sync(profile);
    } catch (e) {
      if (e instanceof SyncBusyError) this.sayBusy(profile);
      else void showError(t('Reset of "{0}" failed', profile.name), e);
    }
  }

  /** A team profile's corp is synced by the archive service; nothing here can run it. */
  private sayKeptByService(profile: Profile): void {
    const origin = URL.canParse(profile.teamUrl ?? '') ? new URL(profile.teamUrl ?? '').origin : (profile.teamUrl ?? '');
    void vscode.window.showInformationMessage(
      vscode.l10n.t('"{0}" is kept by the team archive service at {1}: the service syncs it, and new messages appear here by themselves.', profile.name, origin),
    );
  }

  private sayBusy(profile: Profile): void {
    void vscode.window.showInformationMessage(vscode.l10n.t('Another VS Code window is syncing "{0}" right now; its results appear here too.', profile.name));
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

  dispose(): void {
    this.cancel();
    this.progressed.dispose();
    this.ended.dispose();
  }
}
