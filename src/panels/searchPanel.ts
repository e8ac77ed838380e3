import * as vscode from 'vscode';
import type { SearchFormState, UiStrings } from '../protocol';
import { connectPanel, panelOptions, renderPanelHtml } from './panelHost';

export const SEARCH_VIEW_TYPE = 'wecomArchive.search';

export function emptySearchForm(): SearchFormState {
  return { queryWord: '', chatType: 0, partyA: '', partyB: '', chatId: '', start: '', end: '', limit: '50' };
}

function searchStrings(): UiStrings {
  const t = vscode.l10n.t;
  return {
    title: t('Search messages'),
    queryWord: t('Keyword'),
    queryWordHint: t('At least 2 characters. Searches text, file names, link and mini-program titles, online-doc and WeDrive file names.'),
    search: t('Search'),
    noProfile: t('No corp profile is active. Start demo mode or add a profile first.'),
  };
}

/** The search panel: one per window, revealed if already open. */
export class SearchPanel {
  private static current: SearchPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static show(extensionUri: vscode.Uri, form: SearchFormState = emptySearchForm()): SearchPanel {
    if (SearchPanel.current) {
      SearchPanel.current.panel.reveal();
      return SearchPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(SEARCH_VIEW_TYPE, vscode.l10n.t('Search messages'), vscode.ViewColumn.Active, panelOptions(extensionUri));
    SearchPanel.current = new SearchPanel(panel, extensionUri, form);
    return SearchPanel.current;
  }

  /** Restores a panel VS Code kept across a reload (see the serializer in extension.ts). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri): void {
    panel.webview.options = panelOptions(extensionUri);
    SearchPanel.current = new SearchPanel(panel, extensionUri, emptySearchForm());
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private form: SearchFormState,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'wecom-archive.svg');
    panel.webview.html = renderPanelHtml(panel.webview, extensionUri, 'search', vscode.l10n.t('Search messages'));
    this.disposables.push(
      connectPanel(
        panel.webview,
        () => ({ kind: 'init', view: 'search', strings: searchStrings(), lang: vscode.env.language, data: { profileName: '', form: this.form } }),
        {
          'search.run': async ({ form }) => {
            this.form = form;
            return { accepted: false, message: searchStrings().noProfile ?? '' };
          },
        },
      ),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private dispose(): void {
    SearchPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
