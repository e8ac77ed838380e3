// Every failure reaches the user as one clear sentence in their language with a button for the
// next step; the details go to the log. Typed errors of src/core/wecom carry both languages.
import * as vscode from 'vscode';
import { ArchiveError, ServerProtocolError } from '../../core/archive';
import { WeComError } from '../../core/wecom/errors';
import type { NextAction } from '../../core/wecom/errors';
import { log } from '../log';
import { uiLang } from './lang';

/** The command each next step opens, with its button title. */
function buttonFor(action: NextAction): { title: string; run: () => Thenable<unknown> } | undefined {
  const t = vscode.l10n.t;
  switch (action) {
    case 'setProxy':
      return { title: t('Set Proxy'), run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'http.proxy') };
    case 'checkSettings':
      return { title: t('Open Settings'), run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'wecomArchive') };
    case 'refreshToken':
    case 'pasteToken':
    case 'updateSuiteTicket':
    case 'editProfile':
      return { title: t('Edit Profile'), run: () => vscode.commands.executeCommand('wecomArchive.editProfile') };
    case 'importKey':
      return { title: t('Import Key'), run: () => vscode.commands.executeCommand('wecomArchive.importPrivateKey') };
    case 'resetSyncPosition':
      return { title: t('Reset Sync Position…'), run: () => vscode.commands.executeCommand('wecomArchive.resetSyncPosition') };
    case 'retry':
      return { title: t('Sync Now'), run: () => vscode.commands.executeCommand('wecomArchive.sync') };
    default:
      return undefined;
  }
}

/** The archive's errors that a user can act on, worded here (the core speaks English only). */
function describeArchiveError(e: ArchiveError): string | undefined {
  const t = vscode.l10n.t;
  if (e instanceof ServerProtocolError) {
    return t(
      'The server broke the paging rules of sync_msg ({0}). The sync stopped before asking again and kept its last stored position, so nothing is lost. Check the API base URL or proxy; the log has the details.',
      e.rule,
    );
  }
  if (e.code === 'SCHEMA_CHANGED') return t('A newer version of this extension upgraded the archive in another window. Reload this window to go on.');
  return undefined;
}

export function describeError(e: unknown): string {
  if (e instanceof ArchiveError) return describeArchiveError(e) ?? e.message;
  if (e instanceof WeComError) {
    const zh = uiLang() === 'zh';
    const next = zh ? e.nextStep.zh : e.nextStep.en;
    return [zh ? e.userMessage.zh : e.userMessage.en, next].filter(Boolean).join(' ');
  }
  return e instanceof Error ? e.message : String(e);
}

/** Shows an error with its next step. `context` says what was being done ("Sync failed"). */
export async function showError(context: string, e: unknown): Promise<void> {
  const text = `${context}: ${describeError(e)}`;
  log().error(text);
  if (e instanceof Error && e.stack && !(e instanceof WeComError)) log().debug(e.stack);
  const step =
    e instanceof WeComError
      ? buttonFor(e.nextStep.action)
      : e instanceof ArchiveError && e.code === 'SCHEMA_CHANGED'
        ? { title: vscode.l10n.t('Reload Window'), run: () => vscode.commands.executeCommand('workbench.action.reloadWindow') }
        : undefined;
  const showLog = vscode.l10n.t('Show Log');
  const buttons = step ? [step.title, showLog] : [showLog];
  const choice = await vscode.window.showErrorMessage(text, ...buttons);
  if (choice === showLog) log().show();
  else if (step && choice === step.title) await step.run();
}
