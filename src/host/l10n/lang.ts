import * as vscode from 'vscode';

/** The user's language for text the host writes itself: Chinese for any zh-* display language, English otherwise. */
export function uiLang(): 'zh' | 'en' {
  return vscode.env.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}
