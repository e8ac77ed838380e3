// The message stream of one chat: one panel per chat (revealed if open), restorable after a
// reload. The host pages windows of rows from the archive by keyset; the webview virtualizes.
import * as vscode from 'vscode';
import type { Archive } from '../../core/archive/archive';
import type { ChatSummary } from '../../core/archive/types';
import { chatKindOf } from '../../core/archive/chatKey';
import type { MessageRow, StreamFilter } from '../../shared/protocol';
import { chatLabel } from '../chats/chatFormat';
import { runMessageAction } from './messageActions';
import type { PanelDeps } from './panelDeps';
import { type PanelConnection, connectPanel, panelOptions, renderPanelHtml } from './panelHost';
import { toRow } from '../../core/archive/messageRows';
import { webviewL10n } from './strings';

export const STREAM_VIEW_TYPE = 'wecomArchive.stream';
/** Largest window a webview may ask for at once. */
const MAX_PAGE = 500;
/** The most messages counted one by one for a sender-and-msgtype filter before "N+" is shown. */
const COUNT_MAX = 20_000;

export class StreamPanel {
  private static readonly open = new Map<string, StreamPanel>();
  private filter: StreamFilter = {};
  private readonly disposables: vscode.Disposable[] = [];
  private readonly connection: PanelConnection;

  /** Opens (or reveals) the stream of a chat; with focusMsgid it scrolls to that message. */
  static async show(deps: PanelDeps, profileId: string, chatKey: string, focusMsgid?: string): Promise<StreamPanel> {
    const existing = StreamPanel.open.get(`${profileId}|${chatKey}`);
    if (existing) {
      // A webview that has not said `ready` (hidden, or still loading) gets the focus with its
      // next `init`; a ready one gets the event.
      if (focusMsgid && !existing.connection.post({ kind: 'event', name: 'stream.reveal', msgid: focusMsgid })) existing.focusMsgid = focusMsgid;
      existing.panel.reveal();
      return existing;
    }
    const chat = await (await deps.archives.get(profileId)).getChat(chatKey);
    if (!chat) throw new Error(vscode.l10n.t('This chat is not in the local archive.'));
    const panel = vscode.window.createWebviewPanel(STREAM_VIEW_TYPE, chatLabel(chat, deps.nameOf(profileId)), vscode.ViewColumn.Active, panelOptions(deps.extensionUri));
    return new StreamPanel(panel, deps, profileId, chatKey, focusMsgid);
  }

  /** Restores a panel VS Code kept across a reload, from the state its webview saved. */
  static revive(panel: vscode.WebviewPanel, deps: PanelDeps, state: unknown): void {
    const s = state as { profileId?: unknown; chatKey?: unknown } | undefined;
    if (typeof s?.profileId !== 'string' || typeof s.chatKey !== 'string' || !deps.profiles.get(s.profileId)) {
      panel.dispose();
      return;
    }
    panel.webview.options = panelOptions(deps.extensionUri);
    new StreamPanel(panel, deps, s.profileId, s.chatKey, undefined);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
    private readonly profileId: string,
    private readonly chatKey: string,
    private focusMsgid: string | undefined,
  ) {
    StreamPanel.open.set(`${profileId}|${chatKey}`, this);
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'wecom-archive.svg');
    panel.webview.html = renderPanelHtml(panel.webview, deps.extensionUri, 'stream', panel.title);
    const nameOf = deps.nameOf(profileId);
    const rows = (list: Parameters<typeof toRow>[0][]): MessageRow[] => list.map((m) => toRow(m, nameOf));
    this.connection = connectPanel(panel, () => this.init(), {
        'stream.page': async ({ direction, from, limit, filter }) => {
          const archive = await this.archive();
          const list = await archive.pageMessages({ chatKey, direction, from, limit: Math.min(MAX_PAGE, Math.max(1, limit)), ...filterQuery(filter) });
          return { rows: rows(list) };
        },
        'stream.locate': async ({ sendTime }) => ({ anchor: await (await this.archive()).locate({ chatKey, sendTime }) }),
        'stream.around': async ({ msgid, before, after, filter }) => {
          const archive = await this.archive();
          const [m] = (await archive.resolve([msgid])).found;
          if (!m || m.chatKey !== chatKey) return { rows: [] };
          const at = { sendTime: m.sendTime, msgid: m.msgid };
          const q = { chatKey, ...filterQuery(filter) };
          const [older, newer] = await Promise.all([
            archive.pageMessages({ ...q, direction: 'older', from: at, limit: Math.min(MAX_PAGE, before) }),
            archive.pageMessages({ ...q, direction: 'newer', from: at, limit: Math.min(MAX_PAGE, after) }),
          ]);
          return { rows: rows([...older, m, ...newer]) };
        },
        'stream.senders': async () => {
          const senders = await (await this.archive()).senders(chatKey);
          return { senders: senders.map((s) => ({ ...s, ...(nameOf(s.id) ? { name: nameOf(s.id) } : {}) })) };
        },
        'stream.setFilter': async ({ filter }) => {
          this.filter = filter;
          return this.total(filter);
        },
        'message.action': async ({ msgid, action }) => {
          const [m] = (await (await this.archive()).resolve([msgid])).found;
          const profile = deps.profiles.get(profileId);
          // Only this panel's chat: a webview cannot act on another chat's message.
          if (!m || m.chatKey !== chatKey || !profile) return { done: false, message: vscode.l10n.t('This message is not in the local archive.') };
          return runMessageAction(action, m, profile, deps.profiles, deps.log);
        },
      });
    this.disposables.push(
      this.connection,
      deps.archives.onDidChange(async (c) => {
        if (c.profileId !== profileId || !(c.allChats || c.changedChats.includes(chatKey))) return;
        const chat = await (await this.archive()).getChat(chatKey);
        if (chat) this.connection.post({ kind: 'event', name: 'stream.appended', total: chat.count, lastTime: chat.lastTime });
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private archive(): Promise<Archive> {
    return this.deps.archives.get(this.profileId);
  }

  /** How many messages the filter shows: exact from the chat's summary and sender counts, or counted. */
  private async total(filter: StreamFilter): Promise<{ total: number; atLeast?: boolean }> {
    const archive = await this.archive();
    const chat = await archive.getChat(this.chatKey);
    if (!chat) return { total: 0 };
    const types = filter.msgtypes && filter.msgtypes.length > 0 ? [...new Set(filter.msgtypes)] : undefined;
    if (!filter.sender) return { total: types ? types.reduce((n, t) => n + (chat.countsByType[t] ?? 0), 0) : chat.count };
    const sent = (await archive.senders(this.chatKey)).find((s) => s.id === filter.sender)?.count ?? 0;
    if (!types) return { total: sent };
    // Sender and msgtypes together: no summary holds that number, so count pages (bounded).
    let counted = 0;
    let from: { sendTime: number; msgid: string } | undefined;
    while (counted < COUNT_MAX) {
      const page = await archive.pageMessages({ chatKey: this.chatKey, direction: 'newer', from, limit: 1000, msgtypes: types, sender: filter.sender });
      counted += page.length;
      const last = page[page.length - 1];
      if (!last || page.length < 1000) return { total: counted };
      from = { sendTime: last.sendTime, msgid: last.msgid };
    }
    return { total: counted, atLeast: true };
  }

  private async init() {
    const archive = await this.archive();
    const [chat, gaps] = await Promise.all([archive.getChat(this.chatKey), archive.gaps()]);
    const profile = this.deps.profiles.get(this.profileId);
    const summary: ChatSummary = chat ?? { key: this.chatKey, kind: chatKindOf(this.chatKey), parties: [], memberCount: 0, firstTime: 0, lastTime: 0, count: 0, countsByType: {}, keyVersions: [] };
    await this.deps.seen.markOpened(this.profileId, this.chatKey, summary.count);
    const focus = this.focusMsgid;
    this.focusMsgid = undefined; // only the first load focuses; later `ready`s restore normally
    const nameOf = this.deps.nameOf(this.profileId);
    const filtered = this.filter.sender || this.filter.msgtypes?.length ? await this.total(this.filter) : { total: summary.count };
    return {
      kind: 'init' as const,
      view: 'stream' as const,
      ...webviewL10n(),
      data: {
        profileId: this.profileId,
        profileName: profile?.name ?? '',
        chatKey: this.chatKey,
        title: chatLabel(summary, nameOf),
        kind: summary.kind,
        parties: summary.parties.map((p) => ({ type: p.type, id: p.id, ...(nameOf(p.id) ? { name: nameOf(p.id) } : {}) })),
        total: filtered.total,
        ...(filtered.atLeast ? { totalAtLeast: true } : {}),
        chatTotal: summary.count,
        firstTime: summary.firstTime,
        lastTime: summary.lastTime,
        gaps: gaps.filter((g) => g.to >= summary.firstTime).map((g) => ({ from: g.from, to: g.to, reason: g.reason })),
        hasViewer: !!profile?.viewerUrlTemplate,
        ...(focus ? { focusMsgid: focus } : {}),
        filter: this.filter,
      },
    };
  }

  private dispose(): void {
    StreamPanel.open.delete(`${this.profileId}|${this.chatKey}`);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function filterQuery(filter: StreamFilter): { msgtypes?: number[]; sender?: string } {
  return {
    ...(filter.msgtypes && filter.msgtypes.length > 0 ? { msgtypes: filter.msgtypes } : {}),
    ...(filter.sender ? { sender: filter.sender } : {}),
  };
}
