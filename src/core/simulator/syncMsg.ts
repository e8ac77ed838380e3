// POST /cgi-bin/chatdata/sync_msg (docs/wecom-api.md §2): ascending pages of message metadata with an opaque
// cursor. A cursor is a position in the store; it stays valid as long as no message after it has
// aged out of the 5-day window, otherwise 50100 (the client lost messages for good).
import { ApiError, ErrCode } from './errors';
import { type Body, optionalInt, optionalString } from './params';
import { FIRST_SYNC_SECONDS, RETENTION_SECONDS, type Simulation } from './simulation';

const SYNC_CURSOR = 1;
export const SYNC_MAX_LIMIT = 1000;
export const SYNC_DEFAULT_LIMIT = 200;
export const MAX_PARAM_BYTES = 128;

export interface SyncRequest {
  cursor: string | undefined;
  token: string | undefined;
  limit: number;
}

export function parseSyncRequest(body: Body): SyncRequest {
  const cursor = optionalString(body, 'cursor', 'cursor', MAX_PARAM_BYTES);
  const token = optionalString(body, 'token', 'token', MAX_PARAM_BYTES);
  const limit = optionalInt(body, 'limit', 1, SYNC_MAX_LIMIT) ?? SYNC_DEFAULT_LIMIT;
  return { cursor: cursor === '' ? undefined : cursor, token: token === '' ? undefined : token, limit };
}

/** The reply body for one page. `maxReplyMessages` models 301058 (reply too large). */
export function syncPage(sim: Simulation, req: SyncRequest, maxReplyMessages: number | undefined): { body: string; messages: number } {
  if (maxReplyMessages !== undefined && req.limit > maxReplyMessages) throw new ApiError(ErrCode.replyTooLarge);
  const { store } = sim;
  const now = sim.now();
  const firstRetained = store.firstAtOrAfter(now - RETENTION_SECONDS);
  let start: number;
  if (req.cursor === undefined) {
    start = store.firstAtOrAfter(now - FIRST_SYNC_SECONDS);
  } else {
    const fields = sim.cursors.decode(SYNC_CURSOR, req.cursor, 1);
    start = fields?.[0] ?? -1;
    if (start < 0 || start > store.length) throw new ApiError(ErrCode.invalidCursor, 'invalid cursor');
    if (start < firstRetained) {
      throw new ApiError(ErrCode.invalidCursor, 'invalid cursor: its position is older than the 5-day retention');
    }
  }
  const end = Math.min(store.length, start + req.limit);
  const hasMore = end < store.length;
  const next = sim.cursors.encode(SYNC_CURSOR, [end]);
  const body = `{"errcode":0,"errmsg":"ok","has_more":${hasMore},"next_cursor":"${next}","msg_list":${sim.serializer.list(start, end)}}`;
  return { body, messages: end - start };
}
