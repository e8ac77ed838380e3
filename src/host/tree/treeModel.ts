// The chats tree as data: profile → gaps, Group chats / Single chats → chats (newest activity
// first, paged by keyset with a "Load more" node). Pure (no `vscode`): the provider maps these
// nodes to TreeItems, and the unit tests drive this model over a real archive.
import type { Archive } from '../../core/archive/archive';
import type { ChatCursor, ChatFilter, ChatKind, ChatSummary, Gap } from '../../core/archive/types';
import { CHAT_KINDS } from '../../shared/wire';
import { lastSyncFailed } from '../sync/deadline';

export type TreeNode =
  | { type: 'profile'; id: string; profileId: string }
  | { type: 'category'; id: string; profileId: string; kind: ChatKind; total: number }
  | { type: 'chat'; id: string; profileId: string; chat: ChatSummary }
  | { type: 'loadMore'; id: string; profileId: string; kind: ChatKind; loaded: number; total: number }
  | { type: 'gap'; id: string; profileId: string; gap: Gap }
  | { type: 'empty'; id: string; profileId: string; filtered: boolean }
  /** The last sync failed (and nothing succeeded since): what went wrong, first under the profile. */
  | { type: 'syncError'; id: string; profileId: string; message: string; at: number }
  /** The archive could not be read (a team service that does not answer, a file that does not open): why. */
  | { type: 'unreadable'; id: string; profileId: string; error: unknown };

export interface TreeFilter extends ChatFilter {
  kind?: ChatKind;
}

interface Loaded {
  chats: ChatSummary[];
  next?: ChatCursor;
  /** New data arrived: reload (as many chats as were shown) on the next expansion. */
  stale?: boolean;
}

export class ChatTreeModel {
  private readonly loaded = new Map<string, Loaded>();
  private filter: TreeFilter = {};

  constructor(
    private readonly archiveOf: (profileId: string) => Promise<Archive>,
    private readonly pageSize: () => number,
  ) {}

  static categoryId(profileId: string, kind: ChatKind): string {
    return `cat:${profileId}:${kind}`;
  }

  static chatId(profileId: string, key: string): string {
    return `chat:${profileId}:${key}`;
  }

  getFilter(): TreeFilter {
    return { ...this.filter };
  }

  isFiltered(): boolean {
    return Object.values(this.filter).some((v) => v !== undefined && v !== '');
  }

  setFilter(filter: TreeFilter): void {
    this.filter = { ...filter };
    this.loaded.clear();
  }

  /** New data for a profile: the next expansion reloads as many chats as were shown, so paging survives. */
  invalidate(profileId: string): void {
    for (const [k, v] of this.loaded) if (k.startsWith(`${profileId}:`)) v.stale = true;
  }

  async profileChildren(profileId: string): Promise<TreeNode[]> {
    try {
      return await this.readProfile(profileId);
    } catch (error) {
      return [{ type: 'unreadable', id: `unreadable:${profileId}`, profileId, error }];
    }
  }

  private async readProfile(profileId: string): Promise<TreeNode[]> {
    const archive = await this.archiveOf(profileId);
    const chatFilter = this.chatFilter();
    const kinds: readonly ChatKind[] = this.filter.kind ? [this.filter.kind] : CHAT_KINDS;
    const [state, gaps, ...totals] = await Promise.all([archive.syncState(), archive.gaps(), ...kinds.map((kind) => archive.countChats({ kind, filter: chatFilter }))]);
    const nodes: TreeNode[] = [];
    const error = state.lastError;
    if (error && lastSyncFailed(state)) nodes.push({ type: 'syncError', id: `error:${profileId}`, profileId, message: error.message, at: error.at });
    for (const gap of gaps) nodes.push({ type: 'gap', id: `gap:${profileId}:${gap.from}-${gap.to}`, profileId, gap });
    kinds.forEach((kind, i) => {
      const total = totals[i] ?? 0;
      if (total > 0) nodes.push({ type: 'category', id: ChatTreeModel.categoryId(profileId, kind), profileId, kind, total });
    });
    if (!nodes.some((n) => n.type === 'category')) nodes.push({ type: 'empty', id: `empty:${profileId}`, profileId, filtered: this.isFiltered() });
    return nodes;
  }

  /** The chats of a category loaded so far (the first page on first use), then a Load more node. */
  async categoryChildren(profileId: string, kind: ChatKind, total: number): Promise<TreeNode[]> {
    const key = `${profileId}:${kind}`;
    let state = this.loaded.get(key);
    if (!state || state.stale) {
      state = await this.fetch(profileId, kind, Math.max(this.pageSize(), state?.chats.length ?? 0));
      this.loaded.set(key, state);
    }
    const nodes: TreeNode[] = state.chats.map((chat) => ({ type: 'chat', id: ChatTreeModel.chatId(profileId, chat.key), profileId, chat }));
    if (state.next && state.chats.length < total) {
      nodes.push({ type: 'loadMore', id: `more:${profileId}:${kind}`, profileId, kind, loaded: state.chats.length, total });
    }
    return nodes;
  }

  /** Appends the next page (keyset, from where the last one ended). */
  async loadMore(profileId: string, kind: ChatKind): Promise<void> {
    const key = `${profileId}:${kind}`;
    const state = this.loaded.get(key);
    if (!state?.next) return;
    const archive = await this.archiveOf(profileId);
    const page = await archive.listChats({ kind, limit: this.pageSize(), after: state.next, filter: this.chatFilter() });
    this.loaded.set(key, { chats: [...state.chats, ...page.chats], next: page.next });
  }

  private async fetch(profileId: string, kind: ChatKind, count: number): Promise<Loaded> {
    const archive = await this.archiveOf(profileId);
    return archive.listChats({ kind, limit: count, filter: this.chatFilter() });
  }

  private chatFilter(): ChatFilter | undefined {
    const { kind: _kind, ...rest } = this.filter;
    return Object.values(rest).some((v) => v !== undefined && v !== '') ? rest : undefined;
  }
}
