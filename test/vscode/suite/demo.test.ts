import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/host/extension';

const api = async (): Promise<ExtensionApi> => {
  const ext = vscode.extensions.getExtension<ExtensionApi | undefined>('wecom-chat-archive.wecom-chat-archive');
  assert.ok(ext);
  const exported = await ext.activate();
  assert.ok(exported, 'the test API is there in ExtensionMode.Test');
  return exported;
};

describe('demo mode in the extension host', () => {
  after(async () => {
    await vscode.commands.executeCommand('wecomArchive.stopDemo');
  });

  it('starts the simulator on 127.0.0.1 and makes a demo profile active', async () => {
    const { profiles, demo } = await api();
    const id = await vscode.commands.executeCommand<string>('wecomArchive.startDemo');
    assert.equal(id, 'demo');
    assert.equal(demo.running, true);
    assert.match(demo.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    const active = profiles.active();
    assert.equal(active?.id, 'demo');
    assert.equal(active?.demo, true);
    assert.deepEqual(active?.keyVersions, [1]);
    // The private key is a secret: in SecretStorage, not in the profile (and the test API cannot read it).
    assert.equal(await profiles.hasSecret('demo', 'privateKey.1'), true);
    assert.equal('getSecret' in profiles, false);
    assert.ok(!JSON.stringify(active).includes('PRIVATE KEY'));
  });

  it('connects through the simulator\'s suite-token chain', async () => {
    await api();
    const ok = await vscode.commands.executeCommand<boolean>('wecomArchive.testConnection');
    assert.equal(ok, true);
  });

  it('stops the simulator: its port no longer answers', async () => {
    const { demo } = await api();
    const url = demo.url;
    await vscode.commands.executeCommand('wecomArchive.stopDemo');
    assert.equal(demo.running, false);
    await assert.rejects(fetch(`${url}/_sim/info`));
  });
});
