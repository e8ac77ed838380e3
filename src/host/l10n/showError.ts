// Every failure reaches the user as one clear sentence in their language with a button for the
// next step; the details go to the log. Errors of the core carry Phrases; they are worded here.
import * as vscode from 'vscode';
import { ArchiveError, errorPhrase, recordedError } from '../../core/archive';
import { WeComError } from '../../core/wecom/errors';
import type { NextAction } from '../../core/wecom/errors';
import { word } from '../../shared/text';
import { log } from '../log';

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

/** The error in the user's language, with its next step when it has one. */
export function describeError(e: unknown): string {
  const t = vscode.l10n.t;
  const text = word(errorPhrase(e), t);
  return e instanceof WeComError && e.nextStep.text ? `${text} ${word(e.nextStep, t)}` : text;
}

/** An error the archive recorded (the tree's error row, the status bar), in the user's language now. */
export function describeRecordedError(stored: string): string {
  return word(recordedError(stored), vscode.l10n.t);
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
