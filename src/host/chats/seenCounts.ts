import * as vscode from 'vscode';

const KEY = 'wecomArchive.seenCounts';
/** Bounded: only chats the user opened are tracked, and the oldest entries go first. */
const MAX_ENTRIES = 2000;

/** How many messages each chat had when the user last opened it (small, so globalState is fine). */
export class SeenCounts implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  /** A chat of this profile was opened: its "new" count is gone. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly state: vscode.Memento) {}

  private all(): Record<string, number> {
    return this.state.get<Record<string, number>>(KEY, {});
  }

  /** New messages since the chat was last opened; 0 for chats never opened. */
  newSince(profileId: string, chatKey: string, count: number): number {
    const seen = this.all()[`${profileId}|${chatKey}`];
    return seen === undefined ? 0 : Math.max(0, count - seen);
  }

  async markOpened(profileId: string, chatKey: string, count: number): Promise<void> {
    const all = this.all();
    const k = `${profileId}|${chatKey}`;
    delete all[k];
    all[k] = count;
    const keys = Object.keys(all);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) delete all[old];
    await this.state.update(KEY, all);
    this.changed.fire(profileId);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
