import * as vscode from 'vscode';

export interface StatusView {
  /** One corp: its name and state; several: the sum ("12 corps · synced", "⚠ 1 corp at risk"). */
  text: string;
  /** Markdown: each corp's state. */
  tooltip: string;
  severity: 'ok' | 'syncing' | 'warning' | 'error';
  demo: boolean;
  command: string;
}

/** One status-bar item summing up every corp's sync state. Hidden while there is no profile. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('wecomArchive.status', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = vscode.l10n.t('WeCom Archive');
  }

  show(view: StatusView | undefined): void {
    if (!view) {
      this.item.hide();
      return;
    }
    const icon = view.severity === 'syncing' ? 'sync~spin' : view.severity === 'error' ? 'error' : view.severity === 'warning' ? 'warning' : view.demo ? 'beaker' : 'archive';
    this.item.text = `$(${icon}) ${view.text}`;
    const tooltip = new vscode.MarkdownString(view.tooltip);
    tooltip.supportThemeIcons = true;
    this.item.tooltip = tooltip;
    this.item.command = view.command;
    this.item.backgroundColor =
      view.severity === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : view.severity === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: view.text };
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
