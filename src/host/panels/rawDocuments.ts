// Raw JSON of a message as a read-only virtual document: it opens beside the stream, can be read,
// searched and copied, and closes without asking to be saved (an Untitled document would).
import * as vscode from 'vscode';

export const RAW_SCHEME = 'wecom-archive-raw';
/** Documents kept for re-opening; the oldest are forgotten (VS Code keeps what is open). */
const KEEP = 100;

export class RawDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private next = 1;

  /** A URI for this text; the path is a readable, safe name (the msgid may hold anything). */
  add(msgid: string, text: string): vscode.Uri {
    const key = String(this.next++);
    this.texts.set(key, text);
    for (const old of this.texts.keys()) {
      if (this.texts.size <= KEEP) break;
      this.texts.delete(old);
    }
    const name = msgid.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60) || 'message';
    return vscode.Uri.from({ scheme: RAW_SCHEME, path: `/${name}.json`, query: key });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.query) ?? '';
  }

  static register(): { provider: RawDocuments; disposable: vscode.Disposable } {
    const provider = new RawDocuments();
    return { provider, disposable: vscode.workspace.registerTextDocumentContentProvider(RAW_SCHEME, provider) };
  }
}
