// Secrets never leave SecretStorage: unique marker secrets go into three profiles (suite chain that
// works, a pasted token WeCom refuses, a wrong suite secret), the extension syncs and tests the
// connections, and then settings, globalState, the log and every error text are scanned.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/host/extension';
import { connect } from '../../../src/host/profiles/connect';
import type { Profile, SecretField } from '../../../src/host/profiles/profile';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator';

const stamp = Date.now().toString(36);
const MARK = {
  suiteSecret: `MARKsuiteSecret${stamp}`,
  suiteTicket: `MARKsuiteTicket${stamp}`,
  permanentCode: `MARKpermanentCode${stamp}`,
  pastedToken: `MARKpastedToken${stamp}`,
  wrongSecret: `MARKwrongSecret${stamp}`,
  callback: `MARKcallback${stamp}`,
};

describe('no secret reaches settings, globalState, the log or an error text', () => {
  let api: ExtensionApi;
  let sim: RunningSimulator;
  const errors: string[] = [];
  const profiles: Profile[] = [];
  const known = new Map<string, string>();

  before(async () => {
    const ext = vscode.extensions.getExtension<ExtensionApi | undefined>('wecom-chat-archive.wecom-chat-archive');
    assert.ok(ext);
    const exported = await ext.activate();
    assert.ok(exported);
    api = exported;
    sim = await startSimulator({ messages: 2000, suite: { suiteSecret: MARK.suiteSecret, suiteTicket: MARK.suiteTicket, permanentCode: MARK.permanentCode } });
    const base = { corpId: sim.corpId, baseUrl: sim.url, keyVersions: [1], createdAt: Date.now() };
    profiles.push(
      { ...base, id: `good${stamp}`, name: 'Marker suite', source: 'suite', suiteId: sim.suite.suiteId, authCorpId: sim.corpId },
      { ...base, id: `pasted${stamp}`, name: 'Marker pasted', source: 'token' },
      { ...base, id: `wrong${stamp}`, name: 'Marker wrong secret', source: 'suite', suiteId: sim.suite.suiteId, authCorpId: sim.corpId },
    );
    const [good, pasted, wrong] = profiles as [Profile, Profile, Profile];
    const put = async (id: string, field: SecretField, value: string) => {
      await api.profiles.setSecret(id, field, value);
      known.set(`${id}|${field}`, value);
    };
    for (const p of [good, wrong]) {
      await put(p.id, 'suiteTicket', MARK.suiteTicket);
      await put(p.id, 'permanentCode', MARK.permanentCode);
      await put(p.id, 'privateKey.1', sim.privateKeyPem(1) ?? '');
      await put(p.id, 'callbackToken', JSON.stringify({ token: MARK.callback, expiresAt: Date.now() + 600_000 }));
    }
    await put(good.id, 'suiteSecret', MARK.suiteSecret);
    await put(wrong.id, 'suiteSecret', MARK.wrongSecret);
    await put(pasted.id, 'accessToken', MARK.pastedToken);
    for (const p of profiles) await api.profiles.save(p);
  });

  after(async () => {
    for (const p of profiles) await api.profiles.remove(p.id);
    await sim?.close();
  });

  it('syncs with the good profile and fails clearly with the two bad ones', async () => {
    const [good, pasted, wrong] = profiles as [Profile, Profile, Profile];
    const result = await api.sync.sync(good, { quiet: true });
    assert.ok(result && result.inserted > 0, 'the good profile synced nothing');
    assert.equal(await vscode.commands.executeCommand('wecomArchive.testConnection', { profileId: pasted.id }), false);
    assert.equal(await vscode.commands.executeCommand('wecomArchive.testConnection', { profileId: wrong.id }), false);
    for (const p of [pasted, wrong]) {
      // The secrets this test wrote itself: the extension offers no way to read one back.
      const conn = await connect(p, async (f) => known.get(`${p.id}|${f}`), { debug() {}, info() {}, warn() {}, error() {} }, { retry: { maxAttempts: 1 } });
      try {
        await conn.client.syncMsg({ limit: 1 });
        assert.fail(`${p.name} should have failed`);
      } catch (e) {
        const err = e as Error & { userMessage?: unknown; nextStep?: unknown };
        errors.push(String(err), err.stack ?? '', JSON.stringify({ m: err.message, u: err.userMessage, n: err.nextStep }));
      } finally {
        conn.dispose();
      }
    }
    assert.ok(errors.length > 0);
  });

  it('no marker (nor the access token, nor the private key) appears anywhere readable', async () => {
    const keyLine = (sim.privateKeyPem(1) ?? '').split('\n')[5] ?? '';
    assert.ok(keyLine.length > 40, 'a line of the private key to look for');
    const secrets = [...Object.values(MARK), sim.accessToken, keyLine];
    const log = api.inspect.recentLog().join('\n');
    const places: Record<string, string> = {
      'settings (wecomArchive)': JSON.stringify(vscode.workspace.getConfiguration('wecomArchive')),
      'settings (http)': JSON.stringify(vscode.workspace.getConfiguration('http')),
      globalState: JSON.stringify(api.inspect.globalState()),
      log,
      'error texts': errors.join('\n'),
    };
    assert.ok(log.includes('Marker'), 'the log should mention the marker profiles (by name), or the scan proves nothing');
    for (const [where, text] of Object.entries(places)) {
      for (const s of secrets) assert.ok(!text.includes(s), `a secret (${s.slice(0, 12)}…) appears in ${where}`);
    }
  });
});
