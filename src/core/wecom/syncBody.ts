/**
 * A sync_msg reply's body, decoded from its bytes in pieces: the reply without its msg_list, and
 * each entry on its own. The result is what decoding the body whole and JSON.parse would give
 * (same values, every entry's text exactly as received), and a body JSON.parse would refuse is
 * refused the same way, but no string of the whole page is ever made (see jsonByteSpans.ts).
 * A body that does not split cleanly is decoded whole, as any other reply.
 */
import { BadResponseError } from './errors';
import { memberArrayOf } from './jsonByteSpans';
import { parseReplyJson } from './transport';
import { isJsonObject } from './wire';

export interface SyncBody {
  readonly json: unknown;
  /** The body as text (when decoded whole), or the text of each msg_list entry (when split). */
  readonly text: string | readonly string[];
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
  const texts = list.elements.map(([from, to]) => bytes.toString('utf8', from, to));
  const entries = texts.map((text) => parseReplyJson(text, what, bytes.length));
  // The split found the member at the top level of an object, so the head parsed to that object.
  if (!isJsonObject(head)) throw new BadResponseError('json', `${what} did not return valid JSON (${bytes.length} bytes)`);
  (head as Record<string, unknown>).msg_list = entries;
  return { json: head, text: texts };
}
