import { join } from 'node:path';
import * as vscode from 'vscode';
import { DEMO_PROFILE_ID, DemoMode } from './demo/demoMode';
import { createLog } from './log';
import { registerRawDocuments } from './panels/messageActions';
import type { PanelDeps } from './panels/panelDeps';
import { SEARCH_VIEW_TYPE, SearchPanel } from './panels/searchPanel';
import { STREAM_VIEW_TYPE, StreamPanel } from './panels/streamPanel';
import { ProfileCommands } from './profiles/profileCommands';
import { ProfileStore } from './profiles/profileStore';
import { teamArchiveOptions } from './profiles/teamProfile';
import type { SecretField } from './profiles/profile';
import { StatusBar } from './statusBar';
import { ArchiveService } from './sync/archiveService';
import { BackgroundSync } from './sync/backgroundSync';
import { SyncController } from './sync/syncController';
import { ChatsTreeProvider } from './tree/chatsTree';
import { SeenCounts } from './chats/seenCounts';
import { TreeCommands } from './tree/treeCommands';
import { ChatTreeModel, type TreeNode } from './tree/treeModel';
import { showError } from './l10n/showError';

/**
 * What activate() returns, in ExtensionMode.Test only: the integration tests drive the extension
 * through it. Other extensions get nothing (activate returns undefined outside tests), and even
 * the tests get no way to read a secret: secrets can be written and their presence checked.
 */
export interface ExtensionApi {
  readonly profiles: Pick<ProfileStore, 'list' | 'get' | 'active' | 'save' | 'remove' | 'setSecret'> & {
    hasSecret(id: string, field: SecretField): Promise<boolean>;
  };
  readonly demo: { readonly running: boolean; readonly url: string | undefined };
  readonly sync: Pick<SyncController, 'sync'>;
  /** Recent log lines and globalState, for the test that proves no secret is ever written there. */
  readonly inspect: { recentLog(): readonly string[]; globalState(): Record<string, unknown> };
}

export function activate(context: vscode.ExtensionContext): ExtensionApi | undefined {
  const log = createLog();
  context.subscriptions.push(log);
  log.info(`Activating WeCom Chat Archive ${context.extension.packageJSON.version} on Node ${process.version}`);

  const profiles = new ProfileStore(context);
  const demo = new DemoMode(profiles, log);
  const statusBar = new StatusBar();
  const archives = new ArchiveService(context.globalStorageUri.fsPath, join(context.extensionPath, 'dist', 'archive-worker.js'), (id) => teamArchiveOptions(profiles, id));
  const sync = new SyncController(profiles, archives, log, (id) => (id === DEMO_PROFILE_ID ? demo.clock : undefined));
  const background = new BackgroundSync(profiles, archives, sync, statusBar, log, (p) => !p.demo || demo.running);
  const seen = new SeenCounts(context.globalState);
  context.subscriptions.push(seen);
  const nameOf = (profileId: string) => (profileId === DEMO_PROFILE_ID ? (id: string) => demo.nameOf(id) : () => undefined);
  const deps: PanelDeps = { extensionUri: context.extensionUri, profiles, archives, log, seen, nameOf, memento: context.globalState };
  const pageSize = () => vscode.workspace.getConfiguration('wecomArchive').get<number>('tree.pageSize', 200);
  const model = new ChatTreeModel((id) => archives.get(id), pageSize);
  const tree = new ChatsTreeProvider(profiles, demo, archives, model, seen, (id) => sync.isRunning(id), nameOf, (id) => background.stateText(id));
  const view = vscode.window.createTreeView<TreeNode>('wecomArchive.chats', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(profiles, demo, statusBar, archives, sync, background, tree, view, registerRawDocuments());
  context.subscriptions.push(background.onDidChange((id) => tree.refreshProfile(id)));

  // The view's badge: messages stored since the user last looked at the tree.
  let unseen = 0;
  context.subscriptions.push(
    archives.onDidChange((c) => {
      if (view.visible || c.inserted === 0) return;
      unseen += c.inserted;
      view.badge = { value: unseen, tooltip: vscode.l10n.t('{0} new messages synced', unseen) };
    }),
    view.onDidChangeVisibility((e) => {
      if (!e.visible) return;
      unseen = 0;
      view.badge = undefined;
    }),
  );

  const onProfilesChanged = () => {
    void vscode.commands.executeCommand('setContext', 'wecomArchive.hasProfile', profiles.list().length > 0);
    tree.refresh();
  };
  context.subscriptions.push(
    profiles.onDidChange(onProfilesChanged),
    demo.onDidChange(onProfilesChanged),
    // A team profile given another URL or key reads its service anew.
    profiles.onDidChange((id) => id && void archives.profileChanged(id)),
  );

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'wecomArchive.showLog': () => log.show(),
    'wecomArchive.search': () => void SearchPanel.show(deps),
    'wecomArchive.refresh': () => tree.refresh(),
    'wecomArchive.syncAll': () => background.syncAll(),
    'wecomArchive.startDemo': async () => {
      try {
        const wasRunning = demo.running;
        const profile = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting demo mode…') }, async () => {
          // Each demo session is a fresh simulator (new keys, new cursors): start its archive afresh too.
          if (!wasRunning) await archives.reset(DEMO_PROFILE_ID);
          return demo.start();
        });
        void vscode.window.showInformationMessage(vscode.l10n.t('Demo mode is running: "{0}" on {1}.', profile.name, demo.url ?? ''));
        if (!wasRunning) void sync.sync(profile);
        return profile.id;
      } catch (e) {
        await showError(vscode.l10n.t('Demo mode did not start'), e);
        return undefined;
      }
    },
    'wecomArchive.stopDemo': () => demo.stop(),
  };
  for (const [id, run] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, run));
  context.subscriptions.push(...new ProfileCommands(profiles, log).register(), ...new TreeCommands(deps, tree, view, sync).register());

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(SEARCH_VIEW_TYPE, { deserializeWebviewPanel: async (panel, state) => SearchPanel.revive(panel, deps, state) }),
    vscode.window.registerWebviewPanelSerializer(STREAM_VIEW_TYPE, { deserializeWebviewPanel: async (panel, state) => StreamPanel.revive(panel, deps, state) }),
  );

  onProfilesChanged();
  void vscode.commands.executeCommand('setContext', 'wecomArchive.demoRunning', false);
  void vscode.commands.executeCommand('setContext', 'wecomArchive.ready', true);
  if (vscode.workspace.getConfiguration('wecomArchive.demo').get<boolean>('startOnLaunch', false)) {
    void vscode.commands.executeCommand('wecomArchive.startDemo').then(() => vscode.commands.executeCommand('wecomArchive.chats.focus'));
  }
  if (context.extensionMode !== vscode.ExtensionMode.Test) return undefined;
  return {
    profiles: {
      list: () => profiles.list(),
      get: (id) => profiles.get(id),
      active: () => profiles.active(),
      save: (p) => profiles.save(p),
      remove: (id) => profiles.remove(id),
      setSecret: (id, field, value) => profiles.setSecret(id, field, value),
      hasSecret: async (id, field) => (await profiles.getSecret(id, field)) !== undefined,
    },
    demo: {
      get running() {
        return demo.running;
      },
      get url() {
        return demo.url;
      },
    },
    sync: { sync: (p, o) => sync.sync(p, o) },
    inspect: {
      recentLog: () => log.recent(),
      globalState: () => Object.fromEntries(context.globalState.keys().map((k) => [k, context.globalState.get(k)])),
    },
  };
}

export function deactivate(): void {}
