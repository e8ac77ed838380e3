/**
 * Row keys of the ids that recur from page to page (chat keys, senders, parties, receiver lists),
 * with their COPY text, kept across pages. A page of 1000 messages names hundreds of chats and
 * senders, mostly the ones the pages before it named: hashing them again on every page was half
 * of the writer thread's encoding time (msgids, each new, are hashed directly). Bounded: ids past
 * LONGEST characters are not kept, and the whole cache is dropped when it reaches MAX_ENTRIES.
 */
import { copyBytea } from './copyText';

const MAX_ENTRIES = 20_000;
/** Keeps the cache's strings under ~10 MB whatever a hostile server names. */
const LONGEST = 256;

interface Entry {
  key: Buffer;
  copy?: string;
}

export class KeyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly hash: (id: string) => Buffer) {}

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e) {
      e = { key: this.hash(id) };
      if (id.length <= LONGEST) {
        if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
        this.entries.set(id, e);
      }
    }
    return e;
  }

  /** The id's row key. */
  key(id: string): Buffer {
    return this.entry(id).key;
  }

  /** The id's row key as a COPY bytea field. */
  copy(id: string): string {
    const e = this.entry(id);
    e.copy ??= copyBytea(e.key);
    return e.copy;
  }
}
