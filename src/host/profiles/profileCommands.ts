// Commands that manage profiles: add (wizard), edit, remove, switch, import a private key,
// set the callback token, test the connection.
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { validatePrivateKeyPem } from '../../core/wecom/decrypt';
import { describeError, showError } from '../l10n/showError';
import { type Profile, type SecretField, isTeamProfile } from './profile';
import type { ProfileStore } from './profileStore';
import { testConnection } from './testConnection';
import * as check from './validation';
import { runProfileWizard } from './wizard';

export class ProfileCommands {
  constructor(
    private readonly store: ProfileStore,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  register(): vscode.Disposable[] {
    const reg = vscode.commands.registerCommand;
    return [
      reg('wecomArchive.addProfile', () => this.add()),
      reg('wecomArchive.editProfile', (arg?: unknown) => this.edit(this.profileArg(arg))),
      reg('wecomArchive.removeProfile', (arg?: unknown) => this.remove(this.profileArg(arg))),
      reg('wecomArchive.switchProfile', (arg?: unknown) => this.switch(this.profileArg(arg))),
      reg('wecomArchive.importPrivateKey', (arg?: unknown) => this.importKey(this.profileArg(arg))),
      reg('wecomArchive.setCallbackToken', (arg?: unknown) => this.setCallbackToken(this.profileArg(arg))),
      reg('wecomArchive.testConnection', (arg?: unknown) => this.test(this.profileArg(arg))),
    ];
  }

  /** Tree nodes pass `{ profileId }`; the palette passes nothing (then the active profile). */
  private profileArg(arg: unknown): Profile | undefined {
    const id = typeof arg === 'string' ? arg : (arg as { profileId?: unknown } | undefined)?.profileId;
    return typeof id === 'string' ? this.store.get(id) : this.store.active();
  }

  private async requireProfile(p: Profile | undefined): Promise<Profile | undefined> {
    if (p) return p;
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('No corp profile yet.'), vscode.l10n.t('Add Profile'), vscode.l10n.t('Start Demo'));
    if (choice === vscode.l10n.t('Add Profile')) await vscode.commands.executeCommand('wecomArchive.addProfile');
    if (choice === vscode.l10n.t('Start Demo')) await vscode.commands.executeCommand('wecomArchive.startDemo');
    return undefined;
  }

  async add(): Promise<Profile | undefined> {
    const draft = await runProfileWizard();
    if (!draft) return undefined;
    const { profile, secrets } = draft;
    const ok = await this.testWithProgress(profile, async (f) => secrets.get(f));
    if (!ok) {
      const save = vscode.l10n.t('Save Anyway');
      if ((await vscode.window.showWarningMessage(vscode.l10n.t('The connection test failed. Save the profile "{0}" anyway?', profile.name), save)) !== save) return undefined;
    }
    await this.store.setSecrets(profile.id, secrets);
    await this.store.save(profile);
    await this.store.setActive(profile.id);
    if (isTeamProfile(profile)) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Profile "{0}" saved. Its chats come from the team archive service; new messages appear as the service stores them.', profile.name));
      return profile;
    }
    void vscode.window
      .showInformationMessage(vscode.l10n.t('Profile "{0}" saved. Import the RSA private key of each public_key_ver to decrypt secret keys.', profile.name), vscode.l10n.t('Import Key'))
      .then((c) => c && vscode.commands.executeCommand('wecomArchive.importPrivateKey', { profileId: profile.id }));
    return profile;
  }

  async edit(p: Profile | undefined): Promise<void> {
    const profile = await this.requireProfile(p);
    if (!profile) return;
    const stored = new Map<SecretField, boolean>();
    for (const f of ['accessToken', 'suiteSecret', 'suiteTicket', 'permanentCode', 'serviceSecret', 'teamApiKey'] as const) stored.set(f, !!(await this.store.getSecret(profile.id, f)));
    const draft = await runProfileWizard({ profile, hasSecret: (f) => stored.get(f) === true });
    if (!draft) return;
    await this.store.setSecrets(profile.id, draft.secrets);
    await this.store.save(draft.profile);
    await this.testWithProgress(draft.profile, (f) => this.store.getSecret(profile.id, f));
  }

  async remove(p: Profile | undefined): Promise<void> {
    const profile = await this.requireProfile(p);
    if (!profile) return;
    const yes = vscode.l10n.t('Remove');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('Remove profile "{0}"? Its tokens, secrets and private keys are deleted from this machine. The local archive file is kept.', profile.name),
      { modal: true },
      yes,
    );
    if (answer !== yes) return;
    await this.store.remove(profile.id);
    this.log.info(`Profile "${profile.name}" removed with its secrets.`);
  }

  async switch(p: Profile | undefined): Promise<void> {
    const all = this.store.list();
    if (all.length === 0) {
      await this.requireProfile(undefined);
      return;
    }
    let target = p && p.id !== this.store.active()?.id ? p : undefined;
    if (!target) {
      const active = this.store.active()?.id;
      const picked = await vscode.window.showQuickPick(
        all.map((x) => ({ label: x.name, description: x.corpId, detail: x.id === active ? vscode.l10n.t('active') : undefined, profile: x })),
        { title: vscode.l10n.t('Switch profile'), placeHolder: vscode.l10n.t('Which corp?') },
      );
      target = picked?.profile;
    }
    if (target) await this.store.setActive(target.id);
  }

  async importKey(p: Profile | undefined): Promise<void> {
    const profile = await this.requireProfile(p);
    if (!profile) return;
    const t = vscode.l10n.t;
    const fromFile = t('From a PEM file…');
    const paste = t('Paste PEM text');
    const how = await vscode.window.showQuickPick([fromFile, paste], { title: t('Import private key for "{0}"', profile.name) });
    if (!how) return;
    let pem: string | undefined;
    if (how === fromFile) {
      const uri = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { PEM: ['pem', 'key', 'txt'] }, title: t('Private key (PEM)') });
      if (!uri?.[0]) return;
      pem = await readFile(uri[0].fsPath, 'utf8');
    } else {
      pem = await vscode.window.showInputBox({
        title: t('Paste the private key (PEM)'),
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => {
          try {
            validatePrivateKeyPem(v.replace(/\\n/g, '\n'));
            return undefined;
          } catch (e) {
            return describeError(e);
          }
        },
      });
      pem = pem?.replace(/\\n/g, '\n');
    }
    if (!pem) return;
    let fingerprint = '';
    try {
      fingerprint = validatePrivateKeyPem(pem).fingerprint;
    } catch (e) {
      await showError(t('The key was not imported'), e);
      return;
    }
    const next = String(Math.max(0, ...profile.keyVersions) + 1);
    const version = await vscode.window.showInputBox({ title: t('public_key_ver of this key'), value: next, validateInput: (v) => check.checkKeyVersion(v, vscode.l10n.t) });
    if (!version) return;
    const ver = Number(version);
    await this.store.setSecret(profile.id, `privateKey.${ver}`, pem);
    await this.store.save({ ...profile, keyVersions: [...new Set([...profile.keyVersions, ver])].sort((a, b) => a - b) });
    this.log.info(`Private key version ${ver} imported for "${profile.name}" (fingerprint ${fingerprint}).`);
    void vscode.window.showInformationMessage(t('Private key version {0} imported (fingerprint {1}).', ver, fingerprint));
  }

  /** Paste a token (valid 10 minutes), or name the provider's service that hands out the latest one. */
  async setCallbackToken(p: Profile | undefined): Promise<void> {
    const profile = await this.requireProfile(p);
    if (!profile) return;
    const t = vscode.l10n.t;
    if (isTeamProfile(profile)) {
      void vscode.window.showInformationMessage(t('"{0}" is synced by the team archive service, which receives WeCom\'s callback tokens itself.', profile.name));
      return;
    }
    type Pick = vscode.QuickPickItem & { action: 'paste' | 'service' | 'stop' };
    const picks: Pick[] = [
      { label: `$(cloud) ${t("Use my token service's URL")}`, detail: t('Fetched before each sync and again when WeCom refuses the token. The service returns {"token", "expires_at"}.'), action: 'service' },
      { label: `$(clippy) ${t('Paste a token')}`, detail: t('Valid for 10 minutes.'), action: 'paste' },
      ...(profile.callbackTokenUrl ? [{ label: `$(close) ${t('Stop using the token service')}`, detail: profile.callbackTokenUrl, action: 'stop' as const }] : []),
    ];
    const choice = await vscode.window.showQuickPick(picks, { title: t('Callback token for "{0}"', profile.name), placeHolder: t('Without a callback token, sync_msg is strictly rate limited.') });
    if (!choice) return;
    if (choice.action === 'stop') {
      const { callbackTokenUrl: _, ...rest } = profile;
      await this.store.setSecret(profile.id, 'callbackServiceSecret', undefined);
      await this.store.save(rest);
      return;
    }
    if (choice.action === 'service') {
      const url = await vscode.window.showInputBox({
        title: t('Callback token service for "{0}"', profile.name),
        prompt: t('https, or http on 127.0.0.1/localhost only. GET returns the latest conversation_new_message token of this corp.'),
        value: profile.callbackTokenUrl ?? '',
        ignoreFocusOut: true,
        validateInput: (v) => check.checkServiceUrl(v, vscode.l10n.t),
      });
      if (!url) return;
      const key = await vscode.window.showInputBox({
        title: t('Callback token service for "{0}"', profile.name),
        prompt: t('API key sent as "Authorization: Bearer …" (kept in SecretStorage). Leave empty for none.'),
        password: true,
        ignoreFocusOut: true,
      });
      if (key === undefined) return;
      await this.store.setSecret(profile.id, 'callbackServiceSecret', key.trim() || undefined);
      await this.store.save({ ...profile, callbackTokenUrl: url.trim() });
      void vscode.window.showInformationMessage(t('"{0}" now asks {1} for its callback token before each sync.', profile.name, new URL(url.trim()).origin));
      return;
    }
    const token = await vscode.window.showInputBox({
      title: t('Callback token for "{0}"', profile.name),
      prompt: t('The token field of the conversation_new_message callback. It is valid for 10 minutes; without it sync_msg is strictly rate limited.'),
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => check.checkCallbackToken(v, vscode.l10n.t),
    });
    if (!token) return;
    const expiresAt = Date.now() + 600_000;
    await this.store.setSecret(profile.id, 'callbackToken', JSON.stringify({ token: token.trim(), expiresAt }));
    void vscode.window.showInformationMessage(t('Callback token set; valid until {0}.', new Date(expiresAt).toLocaleTimeString()));
  }

  async test(p: Profile | undefined): Promise<boolean> {
    const profile = await this.requireProfile(p);
    if (!profile) return false;
    return this.testWithProgress(profile, (f) => this.store.getSecret(profile.id, f));
  }

  private async testWithProgress(profile: Profile, secret: (f: SecretField) => PromiseLike<string | undefined>): Promise<boolean> {
    const t = vscode.l10n.t;
    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: t('Testing the connection to "{0}"…', profile.name), cancellable: true },
        (_progress, token) => {
          const ac = new AbortController();
          token.onCancellationRequested(() => ac.abort());
          return testConnection(profile, secret, this.log, ac.signal);
        },
      );
      this.log.info(`Connection test of "${profile.name}": connected in ${report.ms} ms.`);
      void vscode.window.showInformationMessage(
        report.via === 'team'
          ? t('Connected to "{0}": the team archive service keeps {1} messages of this corp.', profile.name, report.messages.toLocaleString())
          : t('Connected to "{0}": sync_msg answered in {1} ms.', profile.name, report.ms),
      );
      return true;
    } catch (e) {
      // Not awaited: the notification stays until dismissed, and the caller goes on meanwhile.
      void showError(t('Connection test of "{0}" failed', profile.name), e);
      return false;
    }
  }
}
