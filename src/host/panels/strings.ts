import * as vscode from 'vscode';
import type { L10nBundle, Lang } from '../../shared/protocol';
import { uiLang } from '../l10n/lang';

/**
 * What a webview's `init` carries for its text: the extension's own l10n bundle (the webview's
 * strings are English source strings in it, like the host's) and the language of the document.
 */
export function webviewL10n(): { l10n?: L10nBundle; lang: Lang } {
  const bundle = vscode.l10n.bundle;
  return { ...(bundle ? { l10n: bundle } : {}), lang: uiLang() };
}
