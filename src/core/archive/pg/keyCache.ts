/**
 * Row keys of the ids that recur from page to page (chat keys, senders, parties, receiver lists),
 * kept across pages. A page of 1000 messages names hundreds of chats and
 * senders, mostly the ones the pages before it named: hashing them again on every page was half
 * of the writer thread's encoding time (msgids, each new, are hashed directly). Bounded: ids past
 * LONGEST characters are not kept, and the whole cache is dropped when it reaches MAX_ENTRIES.
 */
const MAX_ENTRIES = 20_000;
/** Keeps the cache's strings under ~10 MB whatever a hostile server names. */
const LONGEST = 256;

export class KeyCache {
  private readonly entries = new Map<string, Buffer>();

  constructor(private readonly hash: (id: string) => Buffer) {}

  /** The id's row key. */
  key(id: string): Buffer {
    let key = this.entries.get(id);
    if (!key) {
      key = this.hash(id);
      if (id.length <= LONGEST) {
        if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
        this.entries.set(id, key);
      }
    }
    return key;
  }
}
