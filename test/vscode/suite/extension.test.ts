import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/host/extension';

const EXTENSION_ID = 'wecom-chat-archive.wecom-chat-archive';

async function activated(): Promise<{ ext: vscode.Extension<ExtensionApi | undefined>; api: ExtensionApi | undefined }> {
  const ext = vscode.extensions.getExtension<ExtensionApi | undefined>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed in this extension host`);
  const api = await ext.activate();
  return { ext, api };
}

describe('WeCom Chat Archive in a real extension host', () => {
  it('activates the development copy on Node 22 or later, with node:sqlite', async () => {
    const { ext } = await activated();
    assert.equal(ext.isActive, true);
    assert.equal(path.resolve(ext.extensionPath), path.resolve(__dirname, '..', '..', '..', '..'));
    const major = Number(process.versions.node.split('.')[0]);
    assert.ok(major >= 22, `extension host runs Node ${process.version}`);
    assert.doesNotThrow(() => require('node:sqlite'));
  });

  it('registers every command the manifest contributes, and contributes every command it registers', async () => {
    const { ext } = await activated();
    const contributed: string[] = ext.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    const all = await vscode.commands.getCommands(true);
    const registered = new Set(all);
    for (const id of contributed) assert.ok(registered.has(id), `command ${id} is contributed but not registered`);
    // View commands VS Code generates (wecomArchive.chats.focus, …) have a second dot.
    const ours = all.filter((id) => /^wecomArchive\.[A-Za-z]+$/.test(id));
    for (const id of ours) assert.ok(contributed.includes(id), `command ${id} is registered but not in the manifest`);
    assert.ok(ours.length >= contributed.length);
  });

  it('contributes the activity-bar container and the chats tree view', async () => {
    const { ext } = await activated();
    const c = ext.packageJSON.contributes;
    assert.ok(c.viewsContainers.activitybar.some((v: { id: string }) => v.id === 'wecomArchive'));
    assert.ok(c.views.wecomArchive.some((v: { id: string }) => v.id === 'wecomArchive.chats'));
    // Focusing the view only works if a view with that id is registered in the workbench.
    await vscode.commands.executeCommand('wecomArchive.chats.focus');
  });

  it('opens the search panel as a webview tab', async () => {
    await activated();
    await vscode.commands.executeCommand('wecomArchive.search');
    const deadline = Date.now() + 10_000;
    let found = false;
    while (!found && Date.now() < deadline) {
      found = vscode.window.tabGroups.all.some((g) =>
        g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('wecomArchive.search')),
      );
      if (!found) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(found, 'no webview tab of type wecomArchive.search');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('in ExtensionMode.Test the API reads no secret (no getSecret, no store, no archives)', async () => {
    const { api } = await activated();
    assert.ok(api);
    assert.deepEqual(Object.keys(api).sort(), ['demo', 'inspect', 'profiles', 'sync']);
    assert.deepEqual(Object.keys(api.profiles).sort(), ['active', 'get', 'hasSecret', 'list', 'remove', 'save', 'setSecret']);
  });

  it('shows the log channel', async () => {
    await activated();
    await vscode.commands.executeCommand('wecomArchive.showLog');
  });
});
