import * as vscode from 'vscode';
import type { Lang } from '../../shared/protocol';

/** The user's language for text the host writes itself: Chinese for any zh-* display language, English otherwise. */
export function uiLang(): Lang {
  return vscode.env.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}
