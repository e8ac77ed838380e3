import * as vscode from 'vscode';
import { createLog } from './log';
import { SEARCH_VIEW_TYPE, SearchPanel } from './panels/searchPanel';
import { ChatsTreeProvider } from './tree/chatsTree';

export interface ExtensionApi {
  /** For the integration tests: which commands this activation registered. */
  readonly commands: readonly string[];
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const log = createLog();
  context.subscriptions.push(log);
  log.info(`Activating WeCom Chat Archive ${context.extension.packageJSON.version} on Node ${process.version}`);

  const tree = new ChatsTreeProvider();
  const view = vscode.window.createTreeView('wecomArchive.chats', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(tree, view);

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'wecomArchive.showLog': () => log.show(),
    'wecomArchive.search': () => void SearchPanel.show(context.extensionUri),
    'wecomArchive.refresh': () => tree.refresh(),
  };
  for (const [id, run] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, run));

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(SEARCH_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => SearchPanel.revive(panel, context.extensionUri),
    }),
  );

  void vscode.commands.executeCommand('setContext', 'wecomArchive.hasProfile', false);
  void vscode.commands.executeCommand('setContext', 'wecomArchive.ready', true);
  return { commands: Object.keys(commands) };
}

export function deactivate(): void {}
