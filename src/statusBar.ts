import * as vscode from 'vscode';

export type SyncStatus =
  | { state: 'idle'; lastSync?: number }
  | { state: 'syncing'; count: number }
  | { state: 'error'; message: string }
  | { state: 'none' };

/** One status-bar item: which corp, demo or not, and the sync state. Click → sync (or the log on error). */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('wecomArchive.status', vscode.StatusBarAlignment.Left, 10);
  private profileName = '';
  private demo = false;
  private status: SyncStatus = { state: 'none' };

  constructor() {
    this.item.name = vscode.l10n.t('WeCom Archive');
  }

  setProfile(name: string | undefined, demo: boolean): void {
    this.profileName = name ?? '';
    this.demo = demo;
    this.render();
  }

  setStatus(status: SyncStatus): void {
    this.status = status;
    this.render();
  }

  private render(): void {
    const t = vscode.l10n.t;
    if (!this.profileName) {
      this.item.hide();
      return;
    }
    const demo = this.demo ? ` ${t('[DEMO]')}` : '';
    const s = this.status;
    this.item.backgroundColor = undefined;
    this.item.command = 'wecomArchive.sync';
    switch (s.state) {
      case 'syncing':
        this.item.text = `$(sync~spin) ${this.profileName}${demo} · ${s.count.toLocaleString()}`;
        this.item.tooltip = t('Syncing… click to cancel');
        this.item.command = 'wecomArchive.cancelSync';
        break;
      case 'error':
        this.item.text = `$(error) ${this.profileName}${demo}`;
        this.item.tooltip = t('Last sync failed: {0} (click to show the log)', s.message);
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        this.item.command = 'wecomArchive.showLog';
        break;
      case 'idle':
        this.item.text = `$(${this.demo ? 'beaker' : 'archive'}) ${this.profileName}${demo}`;
        this.item.tooltip = s.lastSync ? t('Last synced {0}. Click to sync now.', new Date(s.lastSync).toLocaleString()) : t('Not synced yet. Click to sync now.');
        break;
      default:
        this.item.text = `$(${this.demo ? 'beaker' : 'archive'}) ${this.profileName}${demo}`;
        this.item.tooltip = t('Not synced yet. Click to sync now.');
    }
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
