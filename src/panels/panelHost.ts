import * as vscode from 'vscode';
import type { HostEvent, HostToWebview, InitMessage, RequestMap, RequestMethod, WebviewToHost } from '../protocol';
import { log } from '../log';
import { describeError } from '../ui/showError';
import { parseWebviewMessage } from './validateMessage';
import { buildWebviewHtml, makeNonce } from './webviewHtml';

export type RequestHandlers = {
  [M in RequestMethod]?: (params: RequestMap[M]['params']) => Promise<RequestMap[M]['result']>;
};

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

/**
 * Wires a panel's webview to the typed protocol: validates every incoming message, answers
 * `ready` with a fresh `init` (so a panel that was hidden or restored gets a full snapshot),
 * and routes requests to handlers, replying with a response of the same id.
 */
export function connectPanel(
  webview: vscode.Webview,
  makeInit: () => InitMessage | Promise<InitMessage>,
  handlers: RequestHandlers,
): vscode.Disposable {
  const post = (m: HostToWebview) => void webview.postMessage(m);
  return webview.onDidReceiveMessage(async (raw: unknown) => {
    const msg: WebviewToHost | undefined = parseWebviewMessage(raw);
    if (!msg) {
      log().warn('Ignored a malformed message from a webview.');
      return;
    }
    if (msg.kind === 'ready') {
      try {
        post(await makeInit());
      } catch (e) {
        log().error(`A panel could not be initialized: ${e instanceof Error ? e.message : String(e)}`);
      }
      return;
    }
    const request = msg;
    const handler = handlers[request.method] as ((p: typeof request.params) => Promise<RequestMap[RequestMethod]['result']>) | undefined;
    if (!handler) {
      post({ kind: 'response', id: request.id, ok: false, error: `Unsupported request: ${request.method}` });
      return;
    }
    try {
      post({ kind: 'response', id: request.id, ok: true, result: await handler(request.params) });
    } catch (e) {
      // The typed errors carry the user's language and the next step.
      post({ kind: 'response', id: request.id, ok: false, error: describeError(e) });
    }
  });
}

export function postEvent(webview: vscode.Webview, event: HostEvent): void {
  void webview.postMessage(event);
}
