/**
 * What a commit tells every replica through PostgreSQL's NOTIFY: the corp, how many messages it
 * stored, and the chats they changed. NOTIFY is sent in the commit's transaction, so a listener
 * hears of a commit only once it is durable, and never of one rolled back.
 *
 * A payload must stay under 8000 bytes (or NOTIFY fails, and the commit with it), and chat keys
 * may be 2,000 characters of CJK (6 KB of UTF-8) each: chats are listed while they fit, and a
 * list cut short says so (`more`), so that clients refresh every chat of the corp. A corp id too
 * long to fit leaves the corp out: every corp refreshes. JSON keeps the payload valid text
 * whatever the ids hold (NUL and lone surrogates are written as \u escapes).
 */

export const STORED_CHANNEL = 'wecom_archive_stored';
/** Bytes, below PostgreSQL's limit of 8000. */
export const NOTIFY_PAYLOAD_MAX = 7900;

export interface StoredNotice {
  /** Absent: some corp stored messages, which one did not fit; every corp should refresh. */
  readonly corpId?: string;
  readonly inserted: number;
  readonly changedChats: readonly string[];
  /** The chat list was cut short: every chat of the corp may have changed. */
  readonly truncated: boolean;
}

interface Wire {
  corp?: string;
  inserted: number;
  chats: string[];
  more?: true;
}

/** The NOTIFY payload of a commit; never longer than `max` bytes of UTF-8. */
export function encodeNotice(corpId: string, inserted: number, chats: Iterable<string>, max = NOTIFY_PAYLOAD_MAX): string {
  const base = JSON.stringify({ corp: corpId, inserted, chats: [], more: true } satisfies Wire);
  if (Buffer.byteLength(base) > max) return JSON.stringify({ inserted, chats: [], more: true } satisfies Wire);
  // Room for the chats: the base with its `"more":true` (kept in case the list is cut).
  let room = max - Buffer.byteLength(base);
  const kept: string[] = [];
  let more = false;
  for (const chat of chats) {
    const size = Buffer.byteLength(JSON.stringify(chat)) + (kept.length > 0 ? 1 : 0);
    if (size > room) {
      more = true;
      break;
    }
    kept.push(chat);
    room -= size;
  }
  return JSON.stringify({ corp: corpId, inserted, chats: kept, ...(more ? { more: true } : {}) } satisfies Wire);
}

/** A payload read back; undefined for one this build does not understand. */
export function decodeNotice(payload: string): StoredNotice | undefined {
  let wire: unknown;
  try {
    wire = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof wire !== 'object' || wire === null) return undefined;
  const w = wire as Partial<Record<keyof Wire, unknown>>;
  if (typeof w.inserted !== 'number' || !Array.isArray(w.chats) || !w.chats.every((c) => typeof c === 'string')) return undefined;
  if (w.corp !== undefined && typeof w.corp !== 'string') return undefined;
  return {
    ...(typeof w.corp === 'string' ? { corpId: w.corp } : {}),
    inserted: w.inserted,
    changedChats: w.chats as string[],
    truncated: w.more === true || w.corp === undefined,
  };
}
