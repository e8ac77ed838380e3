import * as vscode from 'vscode';
import type { UiStrings } from '../../shared/protocol';

/** Strings every message row needs (stream and search results). */
export function rowStrings(): UiStrings {
  const t = vscode.l10n.t;
  return {
    partyEmployee: t('Employee'),
    partyExternal: t('External contact'),
    partyRobot: t('Robot'),
    to: t('to'),
    more: t('+{0} more'),
    searchable: t('Searchable'),
    callDuration: t('Duration'),
    copyId: t('Copy msgid'),
    showRaw: t('Raw JSON'),
    decryptKey: t('Decrypt secret key'),
    openViewer: t('Open in viewer'),
    keyVersion: t('Key v{0}'),
    partyOther: t('Party type {0}'),
    noReceivers: t('No receivers'),
    receiversLabel: t('Receivers: {0}'),
    searchableHint: t('search_msg can find this message type'),
    rowLabel: t('{0} from {1}, {2}'),
    rowActions: t('Message actions'),
    actionFailed: t('The action failed: {0}'),
  };
}
