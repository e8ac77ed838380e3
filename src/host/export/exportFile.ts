// Export to a file the user picks: the save dialog (workspace folder or home as the default place)
// and the write, shared by chat export and search-result export.
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { type ExportItem, toCsv, toJson } from '../../shared/exportRows';

export type ExportFormat = 'json' | 'csv';

export function pickExportFile(title: string, baseName: string, format: ExportFormat): Thenable<vscode.Uri | undefined> {
  return vscode.window.showSaveDialog({
    title,
    defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir()), `${baseName}.${format}`),
    filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
  });
}

export function writeExportFile(target: vscode.Uri, items: readonly ExportItem[], format: ExportFormat): Promise<void> {
  return writeFile(target.fsPath, format === 'csv' ? toCsv(items, vscode.l10n.t) : toJson(items));
}
