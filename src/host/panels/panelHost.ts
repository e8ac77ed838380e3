import * as vscode from 'vscode';
import type { HostEvent, HostToWebview, InitMessage } from '../../shared/protocol';
import { log } from '../log';
import { describeError } from '../l10n/showError';
import { type RequestHandlers, createDispatcher } from './dispatch';
import { buildWebviewHtml, makeNonce } from './webviewHtml';

export type { RequestHandlers };

/** Options every panel of the product shares: scripts on, resources only from the built assets. */
export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function renderPanelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: string, title: string): string {
  const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  return buildWebviewHtml({
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    scriptUri: asset('dist', 'webview', `${bundle}.js`),
    styleUris: [asset('dist', 'webview', 'codicon.css'), asset('media', 'webview.css')],
    title,
    lang: vscode.env.language,
  });
}

/** A panel's link to its webview: whether the webview has said `ready` since it was last created. */
export interface PanelConnection extends vscode.Disposable {
  /** True from the `init` answering `ready` until the webview is hidden (and so destroyed). */
  readonly ready: boolean;
  /** Posts an event now if the webview is ready; otherwise drops it and returns false (the next `init` carries the state). */
  post(event: HostEvent): boolean;
}

/**
 * Wires a panel's webview to the typed protocol: checks every incoming message, answers `ready`
 * with a fresh `init` (so a panel that was hidden or restored gets a full snapshot), and routes
 * requests to handlers. Every request that has an id gets exactly one response: the result, the
 * rule it broke (`refused`), or why the work failed (`failed`).
 */
export function connectPanel(
  panel: vscode.WebviewPanel,
  makeInit: () => InitMessage | Promise<InitMessage>,
  handlers: RequestHandlers,
): PanelConnection {
  const webview = panel.webview;
  let disposed = false;
  // A reply may come after the panel was closed: there is nobody left to answer then.
  const send = (m: HostToWebview) => {
    if (!disposed) void webview.postMessage(m).then(undefined, () => undefined);
  };
  const visible = () => !disposed && panel.visible;
  let ready = false;
  const subscriptions = [
    // A hidden webview is destroyed (no retainContextWhenHidden); it says `ready` again when shown.
    panel.onDidChangeViewState(() => {
      if (!visible()) ready = false;
    }),
    panel.onDidDispose(() => {
      disposed = true;
    }),
    webview.onDidReceiveMessage(
      createDispatcher({
        makeInit: async () => {
          ready = false;
          return makeInit();
        },
        handlers,
        send,
        onInit: () => {
          ready = true;
        },
        refusedText: (rule) => vscode.l10n.t('The request was refused: {0}', rule),
        describeError,
        warn: (text) => log().warn(text),
      }),
    ),
  ];
  return {
    get ready() {
      return ready && visible();
    },
    post(event: HostEvent): boolean {
      if (!ready || !visible()) return false;
      send(event);
      return true;
    },
    dispose() {
      disposed = true;
      for (const d of subscriptions) d.dispose();
    },
  };
}
