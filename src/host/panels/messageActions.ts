// Per-message actions the stream and search rows offer. The host does the work: the clipboard,
// a JSON editor, the decrypted secret key (shown in a modal, never sent to a webview or stored),
// and the provider's viewer page in the browser.
import * as vscode from 'vscode';
import type { StoredMessage } from '../../core/archive/types';
import { loadKeyRing } from '../profiles/connect';
import type { Profile } from '../profiles/profile';
import type { ProfileStore } from '../profiles/profileStore';
import { showError } from '../l10n/showError';
import { RawDocuments } from './rawDocuments';
import { visibleText } from '../../shared/visibleText';
import type { MessageAction } from '../../shared/protocol';

/** The read-only documents Raw JSON opens (registered once per extension host). */
let rawDocuments: RawDocuments;
export function registerRawDocuments(): vscode.Disposable {
  const { provider, disposable } = RawDocuments.register();
  rawDocuments = provider;
  return disposable;
}

export async function runMessageAction(
  action: MessageAction,
  message: StoredMessage,
  profile: Profile,
  profiles: ProfileStore,
  log: vscode.LogOutputChannel,
): Promise<{ done: boolean; message?: string }> {
  const t = vscode.l10n.t;
  switch (action) {
    case 'copyId':
      await vscode.env.clipboard.writeText(message.msgid);
      return { done: true, message: t('Copied msgid {0}', visibleText(message.msgid)) };
    case 'showRaw': {
      const uri = rawDocuments.add(message.msgid, `${JSON.stringify(message.raw, null, 2)}\n`);
      const doc = await vscode.languages.setTextDocumentLanguage(await vscode.workspace.openTextDocument(uri), 'json');
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
      return { done: true };
    }
    case 'decryptKey': {
      const key = await decryptSecretKey(message, profile, profiles, log);
      if (key === undefined) return { done: false, message: t('The secret key could not be decrypted; see the notification.') };
      const copy = t('Copy');
      const choice = await vscode.window.showInformationMessage(
        t('Secret key of message {0} (public_key_ver {1}):', visibleText(message.msgid), message.publicKeyVer ?? '?'),
        { modal: true, detail: key },
        copy,
      );
      if (choice === copy) await vscode.env.clipboard.writeText(key);
      return { done: true, message: choice === copy ? t('Secret key copied to the clipboard.') : undefined };
    }
    case 'openViewer': {
      const template = profile.viewerUrlTemplate;
      if (!template) return { done: false, message: t('This profile has no viewer page. Set one with "Edit Profile".') };
      let url = template.replace(/\{msgid\}/g, encodeURIComponent(message.msgid));
      if (url.includes('{secretKey}')) {
        const include = vscode.workspace.getConfiguration('wecomArchive').get<boolean>('viewer.includeSecretKey', false);
        const key = include ? await decryptSecretKey(message, profile, profiles, log) : undefined;
        url = url.replace(/\{secretKey\}/g, key ? encodeURIComponent(key) : '');
      }
      const opened = await vscode.env.openExternal(vscode.Uri.parse(url, true));
      return { done: opened };
    }
  }
}

async function decryptSecretKey(message: StoredMessage, profile: Profile, profiles: ProfileStore, log: vscode.LogOutputChannel): Promise<string | undefined> {
  const t = vscode.l10n.t;
  if (!message.encryptedSecretKey || message.publicKeyVer === undefined) {
    void vscode.window.showWarningMessage(t('Message {0} carries no encrypted_secret_key.', visibleText(message.msgid)));
    return undefined;
  }
  try {
    const ring = await loadKeyRing(profile, (f) => profiles.getSecret(profile.id, f), log);
    return ring.decrypt(message.encryptedSecretKey, message.publicKeyVer).secretKey;
  } catch (e) {
    void showError(t('Decrypting the secret key of {0} failed', visibleText(message.msgid)), e);
    return undefined;
  }
}
