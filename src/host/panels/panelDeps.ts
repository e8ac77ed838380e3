import type * as vscode from 'vscode';
import type { ProfileStore } from '../profiles/profileStore';
import type { ArchiveService } from '../sync/archiveService';
import type { NameOf } from '../chats/chatFormat';
import type { SeenCounts } from '../chats/seenCounts';

/** What the panels need from the rest of the host. */
export interface PanelDeps {
  extensionUri: vscode.Uri;
  profiles: ProfileStore;
  archives: ArchiveService;
  log: vscode.LogOutputChannel;
  seen: SeenCounts;
  /** Display names where known (demo mode's directory); ids otherwise. */
  nameOf: (profileId: string) => NameOf;
  memento: vscode.Memento;
}
