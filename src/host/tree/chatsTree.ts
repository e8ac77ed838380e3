// The chats tree view over the local archive (never over the API): profiles → gaps and
// Group chats / Single chats → chats, paged with "Load more", refreshed from sync change events.
import * as vscode from 'vscode';
import type { DemoMode } from '../demo/demoMode';
import { type Profile, isTeamProfile } from '../profiles/profile';
import type { ProfileStore } from '../profiles/profileStore';
import type { ArchiveService } from '../sync/archiveService';
import { markdownCode, visibleText } from '../../shared/visibleText';
import { type NameOf, chatDescription, chatIcon, chatLabel, chatTooltipMarkdown, mdEscape } from '../chats/chatFormat';
import type { SeenCounts } from '../chats/seenCounts';
import type { ChatTreeModel, TreeNode } from './treeModel';
import { describeError, describeRecordedError } from '../l10n/showError';

export class ChatsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Root nodes by profile id: fired alone when only that profile's archive changed. */
  private readonly roots = new Map<string, TreeNode>();
  private readonly pendingProfiles = new Set<string>();
  private debounce: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly profiles: ProfileStore,
    private readonly demo: DemoMode,
    archives: ArchiveService,
    readonly model: ChatTreeModel,
    private readonly seen: SeenCounts,
    private readonly isSyncing: (profileId: string) => boolean,
    /** Display names where known, per profile (demo mode's directory); ids otherwise. */
    private readonly namesOf: (profileId: string) => NameOf,
    /** The corp's sync state ("synced 3 min ago", "⚠ 20 h left"), from the background sync. */
    private readonly stateOf: (profileId: string) => string | undefined = () => undefined,
  ) {
    this.subscriptions.push(
      archives.onDidChange((c) => {
        this.model.invalidate(c.profileId);
        this.refreshProfile(c.profileId);
      }),
      seen.onDidChange((profileId) => this.refreshProfile(profileId)),
    );
  }

  /** Everything (profiles added/removed, filter changed). */
  refresh(): void {
    this.roots.clear();
    this.changed.fire(undefined);
  }

  /** One profile's subtree; debounced, since a sync commits a page every few milliseconds. */
  refreshProfile(profileId: string): void {
    this.pendingProfiles.add(profileId);
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      for (const id of this.pendingProfiles) {
        const root = this.roots.get(id);
        this.changed.fire(root);
        if (!root) break; // fired undefined: the whole tree refreshes
      }
      this.pendingProfiles.clear();
    }, 300);
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      const nodes = this.profiles.list().map((p): TreeNode => ({ type: 'profile', id: `profile:${p.id}`, profileId: p.id }));
      for (const n of nodes) this.roots.set(n.profileId, n);
      return nodes;
    }
    if (node.type === 'profile') return this.model.profileChildren(node.profileId);
    if (node.type === 'category') return this.model.categoryChildren(node.profileId, node.kind, node.total);
    return [];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.type === 'profile' ? undefined : this.roots.get(node.profileId);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const t = vscode.l10n.t;
    switch (node.type) {
      case 'profile': {
        const p = this.profiles.get(node.profileId);
        return p ? this.profileItem(p, node) : new vscode.TreeItem(node.profileId);
      }
      case 'category': {
        const label = node.kind === 'group' ? t('Group chats') : t('Single chats');
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id;
        item.description = node.total.toLocaleString();
        item.iconPath = new vscode.ThemeIcon(node.kind === 'group' ? 'organization' : 'comment-discussion');
        item.contextValue = 'category';
        return item;
      }
      case 'chat': {
        const c = node.chat;
        const nameOf = this.namesOf(node.profileId);
        const item = new vscode.TreeItem(chatLabel(c, nameOf), vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = chatDescription(c, Date.now(), vscode.l10n.t, this.seen.newSince(node.profileId, c.key, c.count));
        item.tooltip = new vscode.MarkdownString(chatTooltipMarkdown(c, vscode.l10n.t, nameOf));
        item.iconPath = new vscode.ThemeIcon(chatIcon(c));
        item.contextValue = `chat.${c.kind}`;
        item.command = { command: 'wecomArchive.openChat', title: t('Open'), arguments: [node] };
        item.accessibilityInformation = { label: `${chatLabel(c, nameOf)}, ${item.description}` };
        return item;
      }
      case 'loadMore': {
        const item = new vscode.TreeItem(t('Load more… ({0} of {1} shown)', node.loaded.toLocaleString(), node.total.toLocaleString()));
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'wecomArchive.loadMoreChats', title: t('Load more'), arguments: [node] };
        item.contextValue = 'loadMore';
        return item;
      }
      case 'gap': {
        const fmt = (s: number) => new Date(s * 1000).toLocaleString();
        const item = new vscode.TreeItem(t('Gap: {0} – {1}', fmt(node.gap.from), fmt(node.gap.to)));
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
        item.tooltip = t('Messages in this period could not be synced: WeCom no longer kept them when the archive asked. They cannot be fetched again.');
        item.contextValue = 'gap';
        return item;
      }
      case 'unreadable': {
        const item = new vscode.TreeItem(t('The archive could not be read: {0}', visibleText(describeError(node.error))));
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
        item.tooltip = t('Click to try again.');
        item.command = { command: 'wecomArchive.refresh', title: t('Refresh') };
        item.contextValue = 'unreadable';
        return item;
      }
      case 'syncError': {
        const item = new vscode.TreeItem(t('Last sync failed: {0}', visibleText(describeRecordedError(node.message))));
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
        item.tooltip = t('Failed at {0}. Click to show the log; Sync Now tries again.', new Date(node.at).toLocaleString());
        item.command = { command: 'wecomArchive.showLog', title: t('Show Log') };
        item.contextValue = 'syncError';
        return item;
      }
      case 'empty': {
        const syncing = this.isSyncing(node.profileId);
        const profile = this.profiles.get(node.profileId);
        if (!node.filtered && profile && isTeamProfile(profile)) {
          // The service syncs this corp: its messages appear here when it has stored some.
          const item = new vscode.TreeItem(t('No messages in the team archive yet'));
          item.id = node.id;
          item.iconPath = new vscode.ThemeIcon('cloud');
          return item;
        }
        const label = node.filtered ? t('No chat matches the filter') : syncing ? t('Syncing…') : t('No messages yet — Sync now');
        const item = new vscode.TreeItem(label);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.filtered ? 'filter' : syncing ? 'sync~spin' : 'cloud-download');
        if (!node.filtered && !syncing) item.command = { command: 'wecomArchive.sync', title: t('Sync Now'), arguments: [{ profileId: node.profileId }] };
        if (node.filtered) item.command = { command: 'wecomArchive.clearChatFilter', title: t('Clear Filter') };
        return item;
      }
    }
  }

  private profileItem(p: Profile, node: TreeNode): vscode.TreeItem {
    const t = vscode.l10n.t;
    const active = this.profiles.active()?.id === p.id;
    const item = new vscode.TreeItem(visibleText(p.name), active ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    const kind = p.demo ? (this.demo.running ? t('DEMO · simulator running') : t('DEMO · simulator stopped')) : visibleText(p.corpId);
    const state = this.stateOf(p.id);
    // The state first: a long corp id must not push "⚠ 11 h left" out of a narrow side bar.
    item.description = [...(state ? [state] : []), kind, ...(active ? [t('active')] : [])].join(' · ');
    item.iconPath = new vscode.ThemeIcon(p.demo ? 'beaker' : 'organization', active ? new vscode.ThemeColor('charts.green') : undefined);
    const team = isTeamProfile(p);
    item.contextValue = p.demo ? 'profile.demo' : team ? 'profile.team' : 'profile';
    const source = team ? `${t('Team archive service')}: ${markdownCode(p.teamUrl ?? '')}` : `${t('Token source')}: ${p.source}`;
    item.tooltip = new vscode.MarkdownString(`**${mdEscape(p.name)}**\n\n${t('Corp id')}: ${markdownCode(p.corpId)}\n\n${source}${state ? `\n\n${t('Sync')}: ${mdEscape(state)}` : ''}`);
    return item;
  }

  dispose(): void {
    if (this.debounce) clearTimeout(this.debounce);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
