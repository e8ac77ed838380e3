/**
 * A sync_msg reply's body, decoded from its bytes in pieces: the reply without its msg_list, now,
 * and each entry on its own, later (SplitEntries.read), when the page's messages are read. The
 * result is what decoding the body whole and JSON.parse would give (same values, every entry's
 * text exactly as received), and a body JSON.parse would refuse is refused the same way, but no
 * string of the whole page is ever made (see jsonByteSpans.ts), and the next page can be asked
 * for before a message is parsed. A body that does not split cleanly is decoded whole, as any
 * other reply.
 *
 * A body whose structure is sound (the split found every entry's bounds and the rest parsed) but
 * one of whose entries is not JSON is refused when the entries are read: such a body is no proxy's
 * cut or page of HTML (those break the structure, and are refused at once, and retried), but a
 * server's fault.
 */
import { BadResponseError } from './errors';
import { memberArrayOf } from './jsonByteSpans';
import type { Span } from './jsonSpans';
import { parseReplyJson } from './transport';
import { type EntrySource, isJsonObject } from './wire';

export interface SyncBody {
  /** The reply, whole; when split, without its entries (msg_list is `[]`: see `entries`). */
  readonly json: unknown;
  /** The body as text (decoded whole), or msg_list's entries still as bytes (split). */
  readonly text: string | EntrySource;
}

/** msg_list's entries as the bytes of the body, decoded and parsed when first read. */
class SplitEntries implements EntrySource {
  constructor(
    private readonly bytes: Buffer,
    private readonly spans: readonly Span[],
    private readonly what: string,
  ) {}

  get count(): number {
    return this.spans.length;
  }

  read(): { values: unknown[]; texts: string[] } {
    const texts = this.spans.map(([from, to]) => this.bytes.toString('utf8', from, to));
    const values = texts.map((text) => parseReplyJson(text, this.what, this.bytes.length));
    return { values, texts };
  }
}

/** A UTF-8 byte order mark, which decoding drops (as undici's `body.text()` does). */
function bomLength(bytes: Buffer): number {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

/** The body of a sync_msg reply → its JSON, as `JSON.parse(body as text)`. Throws BadResponseError('json'). */
export function decodeSyncBody(raw: Buffer, what: string): SyncBody {
  const bytes = raw.subarray(bomLength(raw));
  const list = memberArrayOf(bytes, 'msg_list');
  if (!list) {
    const text = bytes.toString('utf8');
    return { json: parseReplyJson(text, what, text.length), text };
  }
  const [start, end] = list.array;
  const head = parseReplyJson(`${bytes.toString('utf8', 0, start)}[]${bytes.toString('utf8', end)}`, what, bytes.length);
  // The split found the member at the top level of an object, so the head parsed to that object.
  if (!isJsonObject(head)) throw new BadResponseError('json', `${what} did not return valid JSON (${bytes.length} bytes)`);
  return { json: head, text: new SplitEntries(bytes, list.elements, what) };
}
