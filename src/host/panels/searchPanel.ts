// The search panel (one per window): search_msg through the active profile's client, each page of
// msgids resolved from the local archive (hits it lacks are kept and marked), newest first.
import * as vscode from 'vscode';
import type { ExportItem } from '../../shared/exportRows';
import { pickExportFile, writeExportFile } from '../export/exportFile';
import { type Connection, connect } from '../profiles/connect';
import type { Profile } from '../profiles/profile';
import type { SearchFormState, SearchHit, SearchInit } from '../../shared/protocol';
import { showError } from '../l10n/showError';
import { RequestRuleError } from '../../core/wecom/errors';
import { TeamArchive } from '../../core/archive/teamArchive';
import type { SearchMsgRequest } from '../../shared/wire';
import { validateSearchRequest } from '../../shared/rules';
import type { PanelDeps } from './panelDeps';
import { type PanelConnection, connectPanel, panelOptions, renderPanelHtml } from './panelHost';
import { toRow } from '../../core/archive/messageRows';
import { emptySearchForm, formToRequest } from '../../shared/searchRequest';
import { checkSearchForm } from './validateMessage';
import { StreamPanel } from './streamPanel';
import { webviewL10n } from './strings';

export const SEARCH_VIEW_TYPE = 'wecomArchive.search';
const RECENT_MAX = 20;

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
  private readonly webview: PanelConnection;
  /** Bumped when the host sets the form, so the webview prefers it to the form it kept itself. */
  private formVersion = 1;

  /** Opens (or reveals) the search panel; a form fills it (e.g. "Search in this chat"). */
  static show(deps: PanelDeps, form?: SearchFormState, autoRun = false): SearchPanel {
    const current = SearchPanel.current;
    if (current) {
      if (form) current.setForm(form, autoRun);
      current.panel.reveal();
      return current;
    }
    const panel = vscode.window.createWebviewPanel(SEARCH_VIEW_TYPE, vscode.l10n.t('Search messages'), vscode.ViewColumn.Active, panelOptions(deps.extensionUri));
    SearchPanel.current = new SearchPanel(panel, deps, form ?? emptySearchForm(), autoRun);
    return SearchPanel.current;
  }

  /** Restores the panel after a reload with the form its webview kept (setState). */
  static revive(panel: vscode.WebviewPanel, deps: PanelDeps, state: unknown): void {
    panel.webview.options = panelOptions(deps.extensionUri);
    const kept = typeof state === 'object' && state !== null ? checkSearchForm((state as { form?: unknown }).form) : undefined;
    SearchPanel.current = new SearchPanel(panel, deps, kept ?? emptySearchForm(), false);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
    private form: SearchFormState,
    private autoRun: boolean,
  ) {
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'wecom-archive.svg');
    panel.webview.html = renderPanelHtml(panel.webview, deps.extensionUri, 'search', vscode.l10n.t('Search messages'));
    this.webview = connectPanel(panel, () => ({ kind: 'init', view: 'search', ...webviewL10n(), data: this.initData() }), {
      'search.run': ({ form, more }) => this.run(form, more),
      'search.openHit': async ({ msgid }) => this.openHit(msgid),
      'search.export': async ({ format }) => this.export(format),
    });
    this.disposables.push(
      this.webview,
      deps.profiles.onDidChange(() => {
        this.connection?.dispose();
        this.connection = undefined;
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** What a (re)created webview shows: the form, the current results, the recent searches. */
  private initData(): SearchInit {
    const profile = this.deps.profiles.active();
    const autoRun = this.autoRun;
    this.autoRun = false;
    const s = this.search;
    return {
      profileName: profile?.name ?? '',
      form: this.form,
      formVersion: this.formVersion,
      ...(s ? { results: { form: s.form, hits: s.hits, hasMore: s.hasMore } } : {}),
      recent: profile ? this.recent(profile) : [],
      autoRun,
    };
  }

  /** A form from the host ("Search in this chat"): to a ready webview now, else with its next `init`. */
  private setForm(form: SearchFormState, autoRun: boolean): void {
    this.form = form;
    this.formVersion++;
    const sent = this.webview.post({ kind: 'event', name: 'search.setForm', form, formVersion: this.formVersion, autoRun });
    this.autoRun = !sent && autoRun;
  }

  private profile(): Profile {
    const p = this.deps.profiles.active();
    if (!p) throw new Error(vscode.l10n.t('No corp profile is active. Start demo mode or add a profile first.'));
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
      this.webview.post({ kind: 'event', name: 'search.recent', recent: this.recent(profile) });
    }
    const current = this.search;
    if (!current.hasMore) return { hits: [], hasMore: false, loaded: current.hits.length };
    try {
      const page = await this.searchPage(profile, { ...request, ...(current.cursor ? { cursor: current.cursor } : {}) });
      const hits = page.hits;
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

  /**
   * One page of search_msg, each hit resolved from the profile's archive: with the profile's own
   * credentials, or for a team profile by the archive service (which holds the corp's).
   */
  private async searchPage(profile: Profile, request: SearchMsgRequest): Promise<{ hits: SearchHit[]; nextCursor: string; hasMore: boolean }> {
    const archive = await this.deps.archives.get(profile.id);
    const nameOf = this.deps.nameOf(profile.id);
    if (archive instanceof TeamArchive) {
      const page = await archive.search(request);
      return { ...page, hits: page.hits.map((h) => (h.message ? { msgid: h.msgid, row: toRow(h.message, nameOf) } : { msgid: h.msgid })) };
    }
    this.connection ??= await connect(profile, (f) => this.deps.profiles.getSecret(profile.id, f), this.deps.log);
    const page = await this.connection.client.searchMsg(request);
    const { found } = await archive.resolve(page.msgids);
    const hits = page.msgids.map((msgid, i) => {
      const m = found[i];
      return m ? { msgid, row: toRow(m, nameOf) } : { msgid };
    });
    return { hits, nextCursor: page.nextCursor, hasMore: page.hasMore };
  }

  private async openHit(msgid: string) {
    const profile = this.profile();
    const [m] = (await (await this.deps.archives.get(profile.id)).resolve([msgid])).found;
    if (!m) return { opened: false, message: vscode.l10n.t('Not in the local archive — older than what was synced.') };
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
