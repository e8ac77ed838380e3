/**
 * The request rules of `search_msg` (docs/wecom-api.md §3) and `sync_msg` (§2), checked before any request
 * so that bad input is refused with the rule it broke instead of a bare 40058 from the server.
 *
 * Pure functions with no Node imports: the webview's search form imports this same file, so the
 * form and the client can never disagree. Byte lengths use TextEncoder, not Buffer, for that reason.
 */
import { phrase, type Phrase } from './text';
import { SEARCH_MAX_LIMIT, SYNC_MAX_LIMIT, type SearchMsgRequest, type SyncMsgRequest } from './wire';

export type RuleId =
  | 'query_word.required'
  | 'query_word.min_chars'
  | 'chat_type.enum'
  | 'id_list.single_only'
  | 'id_list.length'
  | 'id_list.entry'
  | 'chat_id.group_only'
  | 'time.integer'
  | 'end_time.requires_start'
  | 'time.order'
  | 'time.span'
  | 'limit.range'
  | 'cursor.max_bytes'
  | 'token.max_bytes';

export interface RuleViolation {
  readonly rule: RuleId;
  /** The request parameter at fault, in wire spelling (e.g. `chat_info.id_list[1]`). */
  readonly parameter: string;
  /** Worded by whoever shows it: `word(v.message, t)`. */
  readonly message: Phrase;
}

export const QUERY_MIN_CHARS = 2;
/** "时间范围不超过30天整": exactly 30 × 86400 s is allowed, one second more is not. */
export const MAX_SEARCH_SPAN_SECONDS = 30 * 86400;
export const MAX_CURSOR_BYTES = 128;

const encoder = new TextEncoder();

/** UTF-8 byte length (WeCom's "不多于128字节", docs/wecom-api.md §2). */
export function utf8ByteLength(text: string): number {
  return encoder.encode(text).length;
}

/** Characters as code points: "2个UTF8字符" means 2 characters, so one emoji (2 UTF-16 units) is 1. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function violation(rule: RuleId, parameter: string, message: Phrase): RuleViolation {
  return { rule, parameter, message };
}

function checkLimit(limit: number | undefined, max: number, out: RuleViolation[]): void {
  if (limit === undefined) return;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    out.push(
      violation(
        'limit.range',
        'limit',
        phrase('limit must be a whole number from 1 to {0} (got {1}).', max, String(limit)),
      ),
    );
  }
}

function checkMaxBytes(value: string | undefined, parameter: 'cursor' | 'token', out: RuleViolation[]): void {
  if (value === undefined) return;
  const bytes = utf8ByteLength(value);
  if (bytes > MAX_CURSOR_BYTES) {
    out.push(
      violation(
        parameter === 'cursor' ? 'cursor.max_bytes' : 'token.max_bytes',
        parameter,
        phrase('{0} must be at most {1} bytes (got {2}).', parameter, MAX_CURSOR_BYTES, bytes),
      ),
    );
  }
}

/** Rules of sync_msg. Empty array = the request may be sent. */
export function validateSyncRequest(request: SyncMsgRequest): RuleViolation[] {
  const out: RuleViolation[] = [];
  checkMaxBytes(request.cursor, 'cursor', out);
  checkMaxBytes(request.token, 'token', out);
  checkLimit(request.limit, SYNC_MAX_LIMIT, out);
  return out;
}

function checkChatInfo(request: SearchMsgRequest, out: RuleViolation[]): void {
  const info = request.chat_info;
  if (info === undefined) return;
  const chatType = info.chat_type;
  if (chatType !== undefined && chatType !== 1 && chatType !== 2) {
    out.push(
      violation(
        'chat_type.enum',
        'chat_info.chat_type',
        phrase('chat_type must be 1 (single chat) or 2 (group chat), got {0}.', String(chatType)),
      ),
    );
  }
  if (info.id_list !== undefined && chatType !== 1) {
    out.push(
      violation(
        'id_list.single_only',
        'chat_info.id_list',
        phrase('id_list is only valid with chat_type 1 (single chat).'),
      ),
    );
  }
  if (chatType === 1 && info.id_list !== undefined) {
    // id_list is optional (without it: every single chat); when given, it names both parties.
    const list = info.id_list;
    if (list.length !== 2) {
      out.push(
        violation(
          'id_list.length',
          'chat_info.id_list',
          phrase('A single chat needs exactly 2 entries in id_list, one per party (got {0}).', list.length),
        ),
      );
    }
    list.forEach((entry, index) => {
      const hasId = Boolean(entry?.open_userid) || Boolean(entry?.external_userid);
      if (!hasId) {
        out.push(
          violation(
            'id_list.entry',
            `chat_info.id_list[${index}]`,
            phrase('id_list entry {0} needs an open_userid (member) or an external_userid (customer).', index + 1),
          ),
        );
      }
    });
  }
  if (info.chat_id !== undefined && chatType !== 2) {
    out.push(
      violation(
        'chat_id.group_only',
        'chat_info.chat_id',
        phrase('chat_id can only be used with chat_type 2 (group chat).'),
      ),
    );
  }
}

function checkTimes(request: SearchMsgRequest, out: RuleViolation[]): void {
  const { start_time: start, end_time: end } = request;
  for (const [name, value] of [
    ['start_time', start],
    ['end_time', end],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      out.push(
        violation(
          'time.integer',
          name,
          phrase('{0} must be a Unix timestamp in whole seconds.', name),
        ),
      );
      return;
    }
  }
  if (end !== undefined && start === undefined) {
    out.push(
      violation(
        'end_time.requires_start',
        'start_time',
        phrase('start_time is required when end_time is given.'),
      ),
    );
    return;
  }
  if (start === undefined || end === undefined) return;
  if (start >= end) {
    out.push(
      violation(
        'time.order',
        'end_time',
        phrase('start_time must be earlier than end_time.'),
      ),
    );
    return;
  }
  if (end - start > MAX_SEARCH_SPAN_SECONDS) {
    out.push(
      violation(
        'time.span',
        'end_time',
        phrase('The search time range cannot exceed 30 days.'),
      ),
    );
  }
}

/** Rules of search_msg. Empty array = the request may be sent. */
export function validateSearchRequest(request: SearchMsgRequest): RuleViolation[] {
  const out: RuleViolation[] = [];
  const word: unknown = request.query_word;
  if (typeof word !== 'string' || word.length === 0) {
    out.push(violation('query_word.required', 'query_word', phrase('Enter a search word.')));
  } else if (codePointLength(word) < QUERY_MIN_CHARS) {
    out.push(
      violation(
        'query_word.min_chars',
        'query_word',
        phrase('The search word needs at least {0} characters.', QUERY_MIN_CHARS),
      ),
    );
  }
  checkChatInfo(request, out);
  checkTimes(request, out);
  checkLimit(request.limit, SEARCH_MAX_LIMIT, out);
  return out;
}
