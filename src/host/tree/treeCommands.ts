// Commands of the chats tree and the palette: sync, open a chat (tree, or a QuickPick that
// searches as you type), load more, filter, copy id, export, search in this chat, reveal in log.
import { rm } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { ChatSummary, StoredMessage } from '../../core/archive/types';
import { groupChatId } from '../../core/archive/chatKey';
import { CHAT_KINDS, KNOWN_PARTY_TYPES, PARTY_EMPLOYEE, PARTY_EXTERNAL } from '../../shared/wire';
import type { ExportItem } from '../../shared/exportRows';
import { pickExportFile, writeExportFile } from '../export/exportFile';
import type { PanelDeps } from '../panels/panelDeps';
import { toRow } from '../../core/archive/messageRows';
import { TeamArchive } from '../../core/archive/teamArchive';
import { SearchPanel } from '../panels/searchPanel';
import { emptySearchForm } from '../../shared/searchRequest';
import { StreamPanel } from '../panels/streamPanel';
import type { SyncController } from '../sync/syncController';
import { isoTime, visibleText } from '../../shared/visibleText';
import { showError } from '../l10n/showError';
import { chatDescription, chatLabel, partyTypeLabel } from '../chats/chatFormat';
import type { ChatsTreeProvider } from './chatsTree';
import type { TreeFilter, TreeNode } from './treeModel';

type ChatNode = Extract<TreeNode, { type: 'chat' }>;
const isNode = (v: unknown): v is TreeNode => typeof v === 'object' && v !== null && 'type' in v && 'profileId' in v;
const EXPORT_PAGE = 1000;

export class TreeCommands {
  constructor(
    private readonly deps: PanelDeps,
    private readonly tree: ChatsTreeProvider,
    private readonly view: vscode.TreeView<TreeNode>,
    private readonly sync: SyncController,
  ) {}

  register(): vscode.Disposable[] {
    const reg = vscode.commands.registerCommand;
    return [
      reg('wecomArchive.sync', (arg?: unknown) => this.sync.sync(this.profileOf(arg))),
      reg('wecomArchive.cancelSync', () => this.sync.cancel()),
      reg('wecomArchive.resetSyncPosition', (arg?: unknown) => this.sync.resetPosition(this.profileOf(arg))),
      reg('wecomArchive.openChat', (arg?: unknown) => this.openChat(arg)),
      reg('wecomArchive.loadMoreChats', (arg?: unknown) => this.loadMore(arg)),
      reg('wecomArchive.filterChats', () => this.filter()),
      reg('wecomArchive.clearChatFilter', () => this.applyFilter({})),
      reg('wecomArchive.copyChatId', (arg?: unknown) => this.copyId(arg)),
      reg('wecomArchive.exportChat', (arg?: unknown) => this.exportChat(arg)),
      reg('wecomArchive.searchInChat', (arg?: unknown) => this.searchInChat(arg)),
      reg('wecomArchive.revealChatInLog', (arg?: unknown) => this.revealInLog(arg)),
    ];
  }

  private profileOf(arg: unknown) {
    const id = isNode(arg) ? arg.profileId : typeof (arg as { profileId?: unknown })?.profileId === 'string' ? (arg as { profileId: string }).profileId : undefined;
    return id ? this.deps.profiles.get(id) : this.deps.profiles.active();
  }

  /** The chat a command is about: the node it was run on, the tree's selection, or undefined. */
  private chatOf(arg: unknown): ChatNode | undefined {
    if (isNode(arg) && arg.type === 'chat') return arg;
    const selected = this.view.selection[0];
    return selected?.type === 'chat' ? selected : undefined;
  }

  async openChat(arg?: unknown): Promise<void> {
    let node = isNode(arg) && arg.type === 'chat' ? arg : undefined;
    node ??= await this.pickChat();
    if (!node) return;
    try {
      await StreamPanel.show(this.deps, node.profileId, node.chat.key);
      this.tree.refreshProfile(node.profileId); // its "new" count is gone now
    } catch (e) {
      await showError(vscode.l10n.t('The chat could not be opened'), e);
    }
  }

  /** A QuickPick of the active profile's chats with the tree's labels; typing searches ids in the archive. */
  private async pickChat(): Promise<ChatNode | undefined> {
    const profile = this.deps.profiles.active();
    if (!profile) {
      void vscode.commands.executeCommand('wecomArchive.addProfile');
      return undefined;
    }
    const archive = await this.deps.archives.get(profile.id);
    const nameOf = this.deps.nameOf(profile.id);
    type Item = vscode.QuickPickItem & { chat: ChatSummary };
    const toItem = (chat: ChatSummary): Item => ({
      // An id holding `$(name)` must not turn into an icon: escaped, it shows as typed.
      label: `$(${chat.kind === 'group' ? 'organization' : 'comment-discussion'}) ${chatLabel(chat, nameOf).replace(/\$\(/g, '\\$(')}`,
      description: chatDescription(chat, Date.now(), vscode.l10n.t),
      chat,
    });
    const load = async (text: string): Promise<Item[]> => {
      const filter = text.trim() ? { idContains: text.trim() } : undefined;
      const [g, s] = await Promise.all(CHAT_KINDS.map((kind) => archive.listChats({ kind, limit: 100, filter })));
      return [...(g?.chats ?? []), ...(s?.chats ?? [])].sort((a, b) => b.lastTime - a.lastTime).map(toItem);
    };
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = vscode.l10n.t('Open chat');
    qp.placeholder = vscode.l10n.t('Type part of a chat id or party id');
    qp.matchOnDescription = true;
    qp.busy = true;
    qp.items = await load('');
    qp.busy = false;
    let seq = 0;
    qp.onDidChangeValue(async (value) => {
      const mine = ++seq;
      qp.busy = true;
      const items = await load(value);
      if (mine === seq) {
        qp.items = items;
        qp.busy = false;
      }
    });
    const picked = await new Promise<Item | undefined>((resolve) => {
      qp.onDidAccept(() => resolve(qp.selectedItems[0]));
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
    qp.dispose();
    return picked ? { type: 'chat', id: `chat:${profile.id}:${picked.chat.key}`, profileId: profile.id, chat: picked.chat } : undefined;
  }

  private async loadMore(arg: unknown): Promise<void> {
    if (!isNode(arg) || arg.type !== 'loadMore') return;
    await this.tree.model.loadMore(arg.profileId, arg.kind);
    this.tree.refreshProfile(arg.profileId);
  }

  private async filter(): Promise<void> {
    const t = vscode.l10n.t;
    const current = this.tree.model.getFilter();
    type Choice = vscode.QuickPickItem & { apply: () => Promise<TreeFilter | undefined> };
    const choices: Choice[] = [
      {
        label: `$(search) ${t('Id contains…')}`,
        description: current.idContains,
        apply: async () => {
          const v = await vscode.window.showInputBox({ title: t('Filter chats by id'), prompt: t('Part of a chat id or of a party id'), value: current.idContains ?? '' });
          return v === undefined ? undefined : { ...current, idContains: v.trim() || undefined };
        },
      },
      {
        label: `$(person) ${t('Party type…')}`,
        description: current.partyType ? partyTypeLabel(current.partyType, vscode.l10n.t) : undefined,
        apply: async () => {
          const items = KNOWN_PARTY_TYPES.map((type) => ({ label: partyTypeLabel(type, vscode.l10n.t), type }));
          const p = await vscode.window.showQuickPick([{ label: t('Any'), type: undefined }, ...items], { title: t('Chats with a party of type') });
          return p ? { ...current, partyType: p.type } : undefined;
        },
      },
      {
        label: `$(organization) ${t('Kind…')}`,
        description: current.kind ? (current.kind === 'group' ? t('Group chats') : t('Single chats')) : undefined,
        apply: async () => {
          const p = await vscode.window.showQuickPick(
            [
              { label: t('Any'), chatKind: undefined },
              { label: t('Group chats'), chatKind: 'group' as const },
              { label: t('Single chats'), chatKind: 'single' as const },
            ],
            { title: t('Kind of chat') },
          );
          return p ? { ...current, kind: p.chatKind } : undefined;
        },
      },
      {
        label: `$(calendar) ${t('Active in the last days…')}`,
        description: current.activeSince ? new Date(current.activeSince * 1000).toLocaleDateString() : undefined,
        apply: async () => {
          const v = await vscode.window.showInputBox({
            title: t('Chats active in the last N days'),
            value: '7',
            validateInput: (x) => (x === '' || (Number.isInteger(Number(x)) && Number(x) > 0 && Number(x) <= 3650) ? undefined : t('Enter a whole number of days (1–3650), or nothing for any time.')),
          });
          if (v === undefined) return undefined;
          return { ...current, activeSince: v ? Math.floor(Date.now() / 1000) - Number(v) * 86400 : undefined };
        },
      },
      { label: `$(clear-all) ${t('Clear filter')}`, apply: async () => ({}) },
    ];
    const choice = await vscode.window.showQuickPick(choices, { title: t('Filter chats') });
    const next = await choice?.apply();
    if (next) await this.applyFilter(next);
  }

  private async applyFilter(filter: TreeFilter): Promise<void> {
    const t = vscode.l10n.t;
    this.tree.model.setFilter(filter);
    const parts: string[] = [];
    if (filter.idContains) parts.push(t('id contains "{0}"', filter.idContains));
    if (filter.partyType) parts.push(partyTypeLabel(filter.partyType, vscode.l10n.t));
    if (filter.kind) parts.push(filter.kind === 'group' ? t('Group chats') : t('Single chats'));
    if (filter.activeSince) parts.push(t('active since {0}', new Date(filter.activeSince * 1000).toLocaleDateString()));
    this.view.message = parts.length ? t('Filter: {0} — clear it with the title bar\'s Clear Filter.', parts.join(', ')) : undefined;
    await vscode.commands.executeCommand('setContext', 'wecomArchive.chatsFiltered', parts.length > 0);
    this.tree.refresh();
  }

  private async copyId(arg: unknown): Promise<void> {
    const node = this.chatOf(arg);
    if (!node) return;
    const c = node.chat;
    const id = c.kind === 'group' ? (groupChatId(c) ?? '') : c.parties.map((p) => p.id).join(',');
    await vscode.env.clipboard.writeText(id);
    void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', visibleText(id)), 3000);
  }

  private async searchInChat(arg: unknown): Promise<void> {
    const node = this.chatOf(arg);
    const form = emptySearchForm();
    if (node) {
      const c = node.chat;
      if (c.kind === 'group') {
        form.chatType = 2;
        form.chatId = groupChatId(c) ?? '';
      } else {
        const [a, b] = c.parties;
        form.chatType = 1;
        form.partyA = a?.id ?? '';
        form.partyAType = a?.type === PARTY_EXTERNAL ? PARTY_EXTERNAL : PARTY_EMPLOYEE;
        form.partyB = b?.id ?? a?.id ?? '';
        form.partyBType = (b ?? a)?.type === PARTY_EXTERNAL ? PARTY_EXTERNAL : PARTY_EMPLOYEE;
      }
    }
    SearchPanel.show(this.deps, form, false);
  }

  private revealInLog(arg: unknown): void {
    const node = this.chatOf(arg);
    if (!node) return;
    const c = node.chat;
    const time = (s: number) => isoTime(s) ?? `invalid time ${s}`;
    this.deps.log.info(`Chat ${JSON.stringify(c.key)}: kind ${c.kind}, ${c.count} messages, ${time(c.firstTime)} – ${time(c.lastTime)}, members ${c.memberCount}, msgtypes ${JSON.stringify(c.countsByType)}, key versions ${c.keyVersions.join(',')}`);
    this.deps.log.show(true);
  }

  private async exportChat(arg: unknown): Promise<void> {
    const t = vscode.l10n.t;
    const node = this.chatOf(arg);
    if (!node) return;
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'CSV', format: 'csv' as const },
        { label: 'JSON', format: 'json' as const },
      ],
      { title: t('Export chat as') },
    );
    if (!picked) return;
    const safe = node.chat.key.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 80);
    const target = await pickExportFile(t('Export chat'), `wecom-chat-${safe}`, picked.format);
    if (!target) return;
    const archive = await this.deps.archives.get(node.profileId);
    const nameOf = this.deps.nameOf(node.profileId);
    if (archive instanceof TeamArchive) {
      await this.exportFromService(archive, node, picked.format, target);
      return;
    }
    const items: ExportItem[] = [];
    const done = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: t('Exporting {0}', chatLabel(node.chat, nameOf)), cancellable: true },
      async (progress, token) => {
        let from: { sendTime: number; msgid: string } | undefined;
        for (;;) {
          if (token.isCancellationRequested) return false;
          const page: StoredMessage[] = await archive.pageMessages({ chatKey: node.chat.key, direction: 'newer', from, limit: EXPORT_PAGE });
          for (const m of page) items.push({ msgid: m.msgid, row: toRow(m, nameOf, Number.POSITIVE_INFINITY) });
          progress.report({ message: `${items.length.toLocaleString()} / ${node.chat.count.toLocaleString()}`, increment: (page.length / Math.max(1, node.chat.count)) * 100 });
          const last = page[page.length - 1];
          if (!last || page.length < EXPORT_PAGE) return true;
          from = { sendTime: last.sendTime, msgid: last.msgid };
        }
      },
    );
    if (!done) return;
    await writeExportFile(target, items, picked.format);
    this.deps.log.info(`Exported ${items.length} messages of ${node.chat.key} to ${target.fsPath}.`);
    void vscode.window.showInformationMessage(t('Exported {0} messages to {1}.', items.length, target.fsPath));
  }

  /** A team archive's chat is exported by its service (one streamed request, audited there as an export). */
  private async exportFromService(archive: TeamArchive, node: ChatNode, format: 'csv' | 'json', target: vscode.Uri): Promise<void> {
    const t = vscode.l10n.t;
    const ac = new AbortController();
    try {
      const bytes = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: t('Exporting {0}', chatLabel(node.chat, this.deps.nameOf(node.profileId))), cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => ac.abort());
          return archive.exportChat(node.chat.key, format, target.fsPath, ac.signal, (n) => progress.report({ message: t('{0} MB', (n / 1e6).toFixed(1)) }));
        },
      );
      this.deps.log.info(`Exported ${node.chat.key} from the team archive service to ${target.fsPath} (${bytes} bytes).`);
      void vscode.window.showInformationMessage(t('Exported {0} messages to {1}.', node.chat.count, target.fsPath));
    } catch (e) {
      // Half a file is worse than none.
      await rm(target.fsPath, { force: true });
      if (!ac.signal.aborted) await showError(t('The export failed'), e);
    }
  }
}
