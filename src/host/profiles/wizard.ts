// The "Add profile" wizard: one InputBox/QuickPick per step, each validated as the user types,
// and a connection test at the end. Returns a draft; nothing is saved until the caller says so.
import * as vscode from 'vscode';
import type { Translate } from '../../shared/l10n';
import type { Profile, SecretField, TokenSourceKind } from './profile';
import * as check from './validation';
import { listTeamCorps } from '../../core/archive/teamArchive';
import { describeError } from '../l10n/showError';

export interface ProfileDraft {
  profile: Profile;
  secrets: Map<SecretField, string>;
}

type Validator = (value: string, t: Translate) => string | undefined;

class Cancelled extends Error {}

async function ask(title: string, prompt: string, validate: Validator, opts: { value?: string; password?: boolean; placeHolder?: string } = {}): Promise<string> {
  const v = await vscode.window.showInputBox({
    title,
    prompt,
    value: opts.value,
    password: opts.password,
    placeHolder: opts.placeHolder,
    ignoreFocusOut: true,
    validateInput: (value) => validate(value, vscode.l10n.t),
  });
  if (v === undefined) throw new Cancelled();
  return v.trim();
}

/**
 * The corp of a team profile: picked from the corps the key may read (the service lists them), or
 * typed when the list cannot be had (no new key given, or the service did not answer: said why).
 */
async function pickTeamCorp(title: string, url: string, key: string, current: string): Promise<string> {
  const t = vscode.l10n.t;
  let problem = '';
  if (key) {
    try {
      const corps = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: t('Asking the team archive service which corps your key may read…') }, () =>
        listTeamCorps(url, key),
      );
      if (corps.length > 0) {
        type Item = vscode.QuickPickItem & { corpId?: string };
        const items: Item[] = [
          ...corps.map((c) => ({ label: c.corpId, corpId: c.corpId, description: t('{0} messages · {1} chats', c.messages.toLocaleString(), c.chats.toLocaleString()) })),
          { label: `$(edit) ${t('Another corp id…')}` },
        ];
        const picked = await vscode.window.showQuickPick(items, { title, placeHolder: t('Which corp of the team archive?'), ignoreFocusOut: true });
        if (!picked) throw new Cancelled();
        if (picked.corpId) return picked.corpId;
      } else problem = t('The service lists no corp for this key.');
    } catch (e) {
      if (e instanceof Cancelled) throw e;
      problem = describeError(e);
    }
  }
  return ask(title, `${t('Corp id (auth_corpid) of the authorized corp')}${problem ? ` — ${problem}` : ''}`, check.checkCorpId, { value: current });
}

export async function runProfileWizard(existing?: { profile: Profile; hasSecret: (f: SecretField) => boolean }): Promise<ProfileDraft | undefined> {
  const t = vscode.l10n.t;
  const base = existing?.profile;
  const title = (step: number, of: number) => (base ? t('Edit profile ({0}/{1})', step, of) : t('Add profile ({0}/{1})', step, of));
  const keep = (f: SecretField) => (existing?.hasSecret(f) ? t('Leave empty to keep the stored value.') : '');
  const optionalIfStored = (f: SecretField): Validator => (v, tr) => (existing?.hasSecret(f) && !v ? undefined : check.checkSecretPresent(v, tr));
  try {
    const name = await ask(title(1, 5), t('A name for this corp, as you will see it in the tree'), check.checkName, { value: base?.name });
    const sources: (vscode.QuickPickItem & { source: TokenSourceKind })[] = [
      { source: 'token', label: `$(key) ${t('Paste an access token')}`, detail: t('The corp access token, e.g. from your own tooling. It cannot be refreshed automatically.') },
      { source: 'suite', label: `$(server-process) ${t('Suite credentials')}`, detail: t('suite_id, suite_secret, suite_ticket, auth_corpid and permanent_code: tokens are fetched and refreshed automatically.') },
      { source: 'service', label: `$(cloud) ${t('Provider token service')}`, detail: t('A URL of your central token service (中控) that returns {access_token, expires_in}.') },
      { source: 'team', label: `$(organization) ${t('Team archive service')}`, detail: t('Read the archive your team\'s archive service keeps, with your API key. The service syncs; you hold no corp credentials.') },
    ];
    const picked = await vscode.window.showQuickPick(sources, { title: title(2, 5), placeHolder: t('How does this profile get its access token?'), ignoreFocusOut: true });
    if (!picked) return undefined;
    const secrets = new Map<SecretField, string>();
    const put = (f: SecretField, v: string) => v && secrets.set(f, v);
    const profile: Profile = {
      id: base?.id ?? `p${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`,
      name,
      corpId: base?.corpId ?? '',
      source: picked.source,
      baseUrl: base?.baseUrl ?? '',
      keyVersions: base?.keyVersions ?? [],
      createdAt: base?.createdAt ?? Date.now(),
      viewerUrlTemplate: base?.viewerUrlTemplate,
      callbackTokenUrl: base?.callbackTokenUrl,
    };
    const t3 = title(3, picked.source === 'team' ? 4 : 5);
    if (picked.source === 'token') {
      put('accessToken', await ask(t3, `${t('Access token of the authorized corp')} ${keep('accessToken')}`, optionalIfStored('accessToken'), { password: true }));
      const minutes = await ask(t3, t('Minutes until this token expires (empty if unknown; WeCom tokens live 120 minutes)'), check.checkExpiryMinutes, { value: '120' });
      profile.tokenExpiresAt = minutes ? Date.now() + Number(minutes) * 60_000 : undefined;
      profile.corpId = await ask(t3, t('Corp id (auth_corpid) of the authorized corp'), check.checkCorpId, { value: profile.corpId });
    } else if (picked.source === 'suite') {
      profile.suiteId = await ask(t3, 'suite_id', check.checkSecretPresent, { value: base?.suiteId });
      put('suiteSecret', await ask(t3, `suite_secret ${keep('suiteSecret')}`, optionalIfStored('suiteSecret'), { password: true }));
      put('suiteTicket', await ask(t3, `suite_ticket ${t('(pushed to your callback every 10 minutes)')} ${keep('suiteTicket')}`, optionalIfStored('suiteTicket'), { password: true }));
      profile.authCorpId = await ask(t3, 'auth_corpid', check.checkCorpId, { value: base?.authCorpId });
      profile.corpId = profile.authCorpId;
      put('permanentCode', await ask(t3, `permanent_code ${keep('permanentCode')}`, optionalIfStored('permanentCode'), { password: true }));
    } else if (picked.source === 'team') {
      profile.teamUrl = await ask(t3, t('URL of the team archive service (https, or http on 127.0.0.1)'), check.checkServiceUrl, { value: base?.teamUrl });
      const key = await ask(t3, `${t('Your API key for the team archive service')} ${keep('teamApiKey')}`, optionalIfStored('teamApiKey'), { password: true });
      put('teamApiKey', key);
      profile.corpId = await pickTeamCorp(t3, profile.teamUrl, key, profile.corpId);
      // The service reaches WeCom; this profile never does, so no API base URL is asked.
      profile.viewerUrlTemplate =
        (await ask(title(4, 4), t('Viewer page URL with {msgid} (optional): your page that hosts WeCom\'s message display component'), check.checkViewerTemplate, { value: profile.viewerUrlTemplate ?? '' })) || undefined;
      return { profile, secrets };
    } else {
      profile.serviceUrl = await ask(t3, t('URL of your token service (https, or http on 127.0.0.1)'), check.checkServiceUrl, { value: base?.serviceUrl });
      put('serviceSecret', await ask(t3, t('Bearer secret for the token service (optional)'), () => undefined, { password: true }));
      profile.corpId = await ask(t3, t('Corp id (auth_corpid) of the authorized corp'), check.checkCorpId, { value: profile.corpId });
    }
    const defaultBase = vscode.workspace.getConfiguration('wecomArchive').get<string>('apiBaseUrl', 'https://qyapi.weixin.qq.com');
    const baseUrl = await ask(title(4, 5), t('API base URL (a relay may stand in; http only on 127.0.0.1). A proxy is set in VS Code\'s http.proxy setting.'), check.checkBaseUrl, { value: profile.baseUrl || defaultBase });
    profile.baseUrl = baseUrl === defaultBase ? '' : baseUrl;
    profile.viewerUrlTemplate =
      (await ask(title(5, 5), t('Viewer page URL with {msgid} (optional): your page that hosts WeCom\'s message display component'), check.checkViewerTemplate, { value: profile.viewerUrlTemplate ?? '' })) || undefined;
    return { profile, secrets };
  } catch (e) {
    if (e instanceof Cancelled) return undefined;
    throw e;
  }
}
