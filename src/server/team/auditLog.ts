/**
 * Who read or exported what, and when. Every answered read of the team API appends one entry
 * before the data leaves; an admin key reads them back. Entries name the request, never its key.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export interface AuditEntry {
  /** Epoch ms. */
  readonly at: number;
  readonly user: string;
  /** e.g. `chats`, `messages`, `resolve`, `search`, `export`, `audit`. */
  readonly action: string;
  readonly corpId?: string;
  /** What was asked: the chat, the msgids or the query word, as given. */
  readonly detail?: string;
  /** Rows answered. */
  readonly count?: number;
}

export interface AuditLog {
  append(entry: AuditEntry): void;
  /** Newest first, at most `limit`. */
  recent(limit: number): AuditEntry[];
}

/** One JSON object a line, appended synchronously: an entry is on disk before the reply is sent. */
export class FileAuditLog implements AuditLog {
  constructor(private readonly file: string) {}

  append(entry: AuditEntry): void {
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`, { encoding: 'utf8', mode: 0o600 });
  }

  recent(limit: number): AuditEntry[] {
    if (!existsSync(this.file)) return [];
    const lines = readFileSync(this.file, 'utf8').split('\n').filter((l) => l !== '');
    return lines.slice(-limit).reverse().map((l) => JSON.parse(l) as AuditEntry);
  }
}
