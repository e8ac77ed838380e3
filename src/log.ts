import * as vscode from 'vscode';

/** The product's one log channel ("WeCom Archive"). Callers must pass redacted text only. */
let channel: vscode.LogOutputChannel | undefined;

export function createLog(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('WeCom Archive', { log: true });
  return channel;
}

export function log(): vscode.LogOutputChannel {
  return createLog();
}
