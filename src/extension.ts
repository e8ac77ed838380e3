import * as vscode from 'vscode';
import { DemoMode } from './demo/demoMode';
import { createLog } from './log';
import { SEARCH_VIEW_TYPE, SearchPanel } from './panels/searchPanel';
import { ProfileCommands } from './profiles/profileCommands';
import { ProfileStore } from './profiles/profileStore';
import { StatusBar } from './statusBar';
import { ChatsTreeProvider } from './tree/chatsTree';
import { showError } from './ui/showError';

export interface ExtensionApi {
  /** For the integration tests: which commands this activation registered. */
  readonly commands: readonly string[];
  readonly profiles: ProfileStore;
  readonly demo: DemoMode;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const log = createLog();
  context.subscriptions.push(log);
  log.info(`Activating WeCom Chat Archive ${context.extension.packageJSON.version} on Node ${process.version}`);

  const profiles = new ProfileStore(context);
  const demo = new DemoMode(profiles, log);
  const statusBar = new StatusBar();
  const tree = new ChatsTreeProvider(profiles, demo);
  const view = vscode.window.createTreeView('wecomArchive.chats', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(profiles, demo, statusBar, tree, view);

  const syncContext = () => {
    const active = profiles.active();
    void vscode.commands.executeCommand('setContext', 'wecomArchive.hasProfile', profiles.list().length > 0);
    statusBar.setProfile(active?.name, active?.demo === true);
    tree.refresh();
  };
  context.subscriptions.push(profiles.onDidChange(syncContext), demo.onDidChange(syncContext));

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'wecomArchive.showLog': () => log.show(),
    'wecomArchive.search': () => void SearchPanel.show(context.extensionUri),
    'wecomArchive.refresh': () => tree.refresh(),
    'wecomArchive.startDemo': async () => {
      try {
        const profile = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting demo mode…') },
          () => demo.start(),
        );
        void vscode.window.showInformationMessage(vscode.l10n.t('Demo mode is running: "{0}" on {1}.', profile.name, demo.url ?? ''));
        return profile.id;
      } catch (e) {
        await showError(vscode.l10n.t('Demo mode did not start'), e);
        return undefined;
      }
    },
    'wecomArchive.stopDemo': () => demo.stop(),
  };
  for (const [id, run] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, run));
  const profileCommands = new ProfileCommands(profiles, log).register();
  context.subscriptions.push(...profileCommands);

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(SEARCH_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => SearchPanel.revive(panel, context.extensionUri),
    }),
  );

  syncContext();
  void vscode.commands.executeCommand('setContext', 'wecomArchive.demoRunning', false);
  if (vscode.workspace.getConfiguration('wecomArchive.demo').get<boolean>('startOnLaunch', false)) {
    void vscode.commands.executeCommand('wecomArchive.startDemo').then(() => vscode.commands.executeCommand('wecomArchive.chats.focus'));
  }
  void vscode.commands.executeCommand('setContext', 'wecomArchive.ready', true);
  return {
    commands: [...Object.keys(commands), 'wecomArchive.addProfile', 'wecomArchive.editProfile', 'wecomArchive.removeProfile', 'wecomArchive.switchProfile', 'wecomArchive.importPrivateKey', 'wecomArchive.setCallbackToken', 'wecomArchive.testConnection'],
    profiles,
    demo,
  };
}

export function deactivate(): void {}
