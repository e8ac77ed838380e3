// The search panel (one per window): search_msg through the active profile's client, each page of
// msgids resolved from the local archive (hits it lacks are kept and marked), newest first.
import * as vscode from 'vscode';
import type { ExportItem } from '../export/rows';
import { pickExportFile, writeExportFile } from '../ui/exportFile';
import { type Connection, connect } from '../profiles/connect';
import type { Profile } from '../profiles/profile';
import type { SearchFormState, SearchHit, UiStrings } from '../protocol';
import { showError } from '../ui/showError';
import { RequestRuleError } from '../wecom/errors';
import { validateSearchRequest } from '../wecom/rules';
import type { PanelDeps } from './panelDeps';
import { connectPanel, panelOptions, postEvent, renderPanelHtml } from './panelHost';
import { uiLang } from '../ui/lang';
import { toRow } from './rows';
import { emptySearchForm, formToRequest } from './searchRequest';
import { StreamPanel } from './streamPanel';
import { rowStrings } from './strings';

export const SEARCH_VIEW_TYPE = 'wecomArchive.search';
const RECENT_MAX = 20;

export function searchStrings(): UiStrings {
  const t = vscode.l10n.t;
  return {
    ...rowStrings(),
    title: t('Search messages'),
    queryWord: t('Keyword'),
    queryWordHint: t('At least 2 characters. Searches text, file names, link and mini-program titles, online-doc and WeDrive file names.'),
    chatType: t('Chat'),
    chatAny: t('Any chat'),
    chatSingle: t('Single chat'),
    chatGroup: t('Group chat'),
    partyA: t('First party'),
    partyB: t('Second party'),
    partyTypeEmployee: t('Employee (open_userid)'),
    partyTypeExternal: t('External contact (external_userid)'),
    chatId: t('Group chat id'),
    start: t('From'),
    end: t('To'),
    timeHint: t('Leave both empty for the last 30 days. The range may not exceed 30 days.'),
    limit: t('Page size'),
    search: t('Search'),
    loadMore: t('Load more'),
    exportJson: t('Export JSON'),
    exportCsv: t('Export CSV'),
    recent: t('Recent searches'),
    noResults: t('No messages found.'),
    resultsCount: t('{0} results'),
    missing: t('Not in the local archive — older than what was synced.'),
    searching: t('Searching…'),
    noProfile: t('No corp profile is active. Start demo mode or add a profile first.'),
    formLabel: t('Search form'),
    partyKind: t('ID kind'),
    chatIdHint: t('Empty = all group chats.'),
    limitHint: t('1 to 100; empty = 50.'),
    rule: t('Rule {0}'),
    results: t('Results'),
    noRecent: t('No recent searches yet.'),
    recentItem: t('Run again: {0}'),
    searchError: t('The search failed: {0}'),
  };
}

interface CurrentSearch {
  form: SearchFormState;
  cursor?: string;
  hasMore: boolean;
  hits: SearchHit[];
}

export class SearchPanel {
  private static current: SearchPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private search: CurrentSearch | undefined;
  private connection: Connection | undefined;

  /** Opens (or reveals) the search panel; a form fills it (e.g. "Search in this chat"). */
  static show(deps: PanelDeps, form?: SearchFormState, autoRun = false): SearchPanel {
    const current = SearchPanel.current;
    if (current) {
      current.panel.reveal();
      if (form) postEvent(current.panel.webview, { kind: 'event', name: 'search.setForm', form, autoRun });
      return current;
    }
    const panel = vscode.window.createWebviewPanel(SEARCH_VIEW_TYPE, vscode.l10n.t('Search messages'), vscode.ViewColumn.Active, panelOptions(deps.extensionUri));
    SearchPanel.current = new SearchPanel(panel, deps, form ?? emptySearchForm(), autoRun);
    return SearchPanel.current;
  }

  static revive(panel: vscode.WebviewPanel, deps: PanelDeps): void {
    panel.webview.options = panelOptions(deps.extensionUri);
    SearchPanel.current = new SearchPanel(panel, deps, emptySearchForm(), false);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
    private form: SearchFormState,
    private autoRun: boolean,
  ) {
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'wecom-archive.svg');
    panel.webview.html = renderPanelHtml(panel.webview, deps.extensionUri, 'search', vscode.l10n.t('Search messages'));
    this.disposables.push(
      connectPanel(
        panel.webview,
        () => {
          const profile = deps.profiles.active();
          const autoRun = this.autoRun;
          this.autoRun = false;
          return { kind: 'init', view: 'search', strings: searchStrings(), lang: uiLang(), data: { profileName: profile?.name ?? '', form: this.form, recent: profile ? this.recent(profile) : [], autoRun } };
        },
        {
          'search.run': ({ form, more }) => this.run(form, more),
          'search.openHit': async ({ msgid }) => this.openHit(msgid),
          'search.export': async ({ format }) => this.export(format),
        },
      ),
      deps.profiles.onDidChange(() => {
        this.connection?.dispose();
        this.connection = undefined;
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private profile(): Profile {
    const p = this.deps.profiles.active();
    if (!p) throw new Error(searchStrings().noProfile);
    return p;
  }

  private async run(form: SearchFormState, more: boolean) {
    const profile = this.profile();
    const request = formToRequest(form);
    // The webview checks the same rules as the user types; the host never trusts that.
    const violations = validateSearchRequest(request);
    if (violations.length > 0) throw new RequestRuleError('search_msg', violations);
    if (!more || !this.search || JSON.stringify(this.search.form) !== JSON.stringify(form)) {
      this.search = { form, hasMore: true, hits: [] };
      this.form = form;
      await this.remember(profile, form);
    }
    const current = this.search;
    if (!current.hasMore) return { hits: [], hasMore: false, loaded: current.hits.length };
    this.connection ??= await connect(profile, (f) => this.deps.profiles.getSecret(profile.id, f), this.deps.log);
    try {
      const page = await this.connection.client.searchMsg({ ...request, ...(current.cursor ? { cursor: current.cursor } : {}) });
      const { found } = await (await this.deps.archives.get(profile.id)).resolve(page.msgids);
      const nameOf = this.deps.nameOf(profile.id);
      const hits: SearchHit[] = page.msgids.map((msgid, i) => {
        const m = found[i];
        return m ? { msgid, row: toRow(m, nameOf) } : { msgid };
      });
      current.hits.push(...hits);
      current.cursor = page.nextCursor || undefined;
      current.hasMore = page.hasMore && !!page.nextCursor;
      this.deps.log.info(`search_msg: ${hits.length} hits (${hits.filter((h) => !h.row).length} not in the archive), more: ${current.hasMore}`);
      return { hits, hasMore: current.hasMore, loaded: current.hits.length };
    } catch (e) {
      void showError(vscode.l10n.t('Search failed'), e);
      throw e;
    }
  }

  private async openHit(msgid: string) {
    const profile = this.profile();
    const [m] = (await (await this.deps.archives.get(profile.id)).resolve([msgid])).found;
    if (!m) return { opened: false, message: searchStrings().missing };
    await StreamPanel.show(this.deps, profile.id, m.chatKey, msgid);
    return { opened: true };
  }

  private async export(format: 'json' | 'csv') {
    const t = vscode.l10n.t;
    const hits: ExportItem[] = this.search?.hits ?? [];
    if (hits.length === 0) return { done: false, message: t('Nothing to export yet: run a search first.') };
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    const target = await pickExportFile(t('Export search results'), `wecom-search-${stamp}`, format);
    if (!target) return { done: false };
    await writeExportFile(target, hits, format);
    this.deps.log.info(`Exported ${hits.length} search hits to ${target.fsPath}.`);
    return { done: true, message: t('Exported {0} results to {1}.', hits.length, target.fsPath) };
  }

  private recent(profile: Profile): SearchFormState[] {
    return this.deps.memento.get<SearchFormState[]>(`wecomArchive.recentSearches.${profile.id}`, []);
  }

  private async remember(profile: Profile, form: SearchFormState): Promise<void> {
    const key = JSON.stringify(form);
    const list = [form, ...this.recent(profile).filter((f) => JSON.stringify(f) !== key)].slice(0, RECENT_MAX);
    await this.deps.memento.update(`wecomArchive.recentSearches.${profile.id}`, list);
  }

  private dispose(): void {
    SearchPanel.current = undefined;
    this.connection?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
