// Messages given whole by a caller (control API, tests): whatever WeCom's documents allow a server
// to send — 2,000-char ids, bidi and control characters, unknown msgtypes, absurd numbers. Each
// takes a place in the store's order (sent "now") under a marker msgtype, and sync_msg and
// search_msg serve it exactly as given.

/** The store msgtype that marks a raw message (the generator uses 0..28). */
export const RAW_MSGTYPE = 255;

export interface RawMessageInput {
  /** The message as sync_msg returns it; `msgid` must be a non-empty string. */
  json: Record<string, unknown>;
  /** Searchable content (search_msg matches it, case-insensitive). */
  content?: string;
}

export interface RawEntry {
  msgid: string;
  text: string;
  chatid: string | undefined;
  /** Sender and receiver ids (a single chat is found by its two parties). */
  parties: string[];
  contentLower: string | undefined;
  content: string | undefined;
}

export class RawMessages {
  private readonly entries: RawEntry[] = [];
  private readonly byMsgid = new Map<string, number>();

  /** Checks and keeps one message; returns its entry index (the store row's `extra`). */
  add(input: RawMessageInput): number {
    const json = input.json;
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('json must be an object');
    const msgid = json.msgid;
    if (typeof msgid !== 'string' || msgid === '') throw new Error('json.msgid must be a non-empty string');
    if (input.content !== undefined && typeof input.content !== 'string') throw new Error('content must be a string');
    const ids = (v: unknown): string[] => (typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string' ? [(v as { id: string }).id] : []);
    const receivers = Array.isArray(json.receiver_list) ? json.receiver_list.flatMap(ids) : [];
    const entry: RawEntry = {
      msgid,
      text: JSON.stringify(json),
      chatid: typeof json.chatid === 'string' && json.chatid !== '' ? json.chatid : undefined,
      parties: [...ids(json.sender), ...receivers],
      content: input.content,
      contentLower: input.content?.toLowerCase(),
    };
    this.entries.push(entry);
    this.byMsgid.set(msgid, this.entries.length - 1);
    return this.entries.length - 1;
  }

  get(index: number): RawEntry | undefined {
    return this.entries[index];
  }

  indexOf(msgid: string): number | undefined {
    return this.byMsgid.get(msgid);
  }
}
