import * as vscode from 'vscode';
import type { DemoMode } from '../demo/demoMode';
import type { Profile } from '../profiles/profile';
import type { ProfileStore } from '../profiles/profileStore';

/** The chats tree: profiles (corps) at the root. */
export class ChatsTreeProvider implements vscode.TreeDataProvider<vscode.TreeItem> {
  private readonly changed = new vscode.EventEmitter<vscode.TreeItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly profiles: ProfileStore,
    private readonly demo: DemoMode,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(item: vscode.TreeItem): vscode.TreeItem {
    return item;
  }

  getChildren(element?: vscode.TreeItem): vscode.TreeItem[] {
    if (element) return [];
    const active = this.profiles.active()?.id;
    return this.profiles.list().map((p) => this.profileItem(p, p.id === active));
  }

  private profileItem(p: Profile, active: boolean): vscode.TreeItem {
    const t = vscode.l10n.t;
    const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `profile:${p.id}`;
    const demo = p.demo ? (this.demo.running ? t('DEMO · simulator running') : t('DEMO · simulator stopped')) : p.corpId;
    item.description = active ? `${demo} · ${t('active')}` : demo;
    item.iconPath = new vscode.ThemeIcon(p.demo ? 'beaker' : 'organization', active ? new vscode.ThemeColor('charts.green') : undefined);
    item.contextValue = p.demo ? 'profile.demo' : 'profile';
    item.tooltip = new vscode.MarkdownString(`**${p.name}**\n\n${t('Corp id')}: \`${p.corpId}\`\n\n${t('Token source')}: ${p.source}`);
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
