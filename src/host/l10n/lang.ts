import * as vscode from 'vscode';
import type { Lang, UiStrings } from '../../shared/protocol';

/** The user's language for text the host writes itself: Chinese for any zh-* display language, English otherwise. */
export function uiLang(): Lang {
  return vscode.env.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** A panel's strings plus the l10n bundle (English keys), which words the shared code in the webview (msgtype labels, request rules). */
export function webviewStrings(own: UiStrings): UiStrings {
  return { ...(vscode.l10n.bundle ?? {}), ...own };
}
