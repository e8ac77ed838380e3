/**
 * The request rules of `search_msg` (seed 003) and `sync_msg` (seed 000), checked before any request
 * so that bad input is refused with the rule it broke instead of a bare 40058 from the server.
 *
 * Pure functions with no Node imports: the webview's search form imports this same file, so the
 * form and the client can never disagree. Byte lengths use TextEncoder, not Buffer, for that reason.
 */
import type { Localized } from './text';
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
  readonly message: Localized;
}

export const QUERY_MIN_CHARS = 2;
/** "时间范围不超过30天整": exactly 30 × 86400 s is allowed, one second more is not. */
export const MAX_SEARCH_SPAN_SECONDS = 30 * 86400;
export const MAX_CURSOR_BYTES = 128;

const encoder = new TextEncoder();

/** UTF-8 byte length (the seeds' "不多于128字节"). */
export function utf8ByteLength(text: string): number {
  return encoder.encode(text).length;
}

/** Characters as code points: "2个UTF8字符" means 2 characters, so one emoji (2 UTF-16 units) is 1. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function violation(rule: RuleId, parameter: string, zh: string, en: string): RuleViolation {
  return { rule, parameter, message: { zh, en } };
}

function checkLimit(limit: number | undefined, max: number, out: RuleViolation[]): void {
  if (limit === undefined) return;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    out.push(
      violation(
        'limit.range',
        'limit',
        `limit 必须是 1 到 ${max} 之间的整数（当前为 ${String(limit)}）。`,
        `limit must be a whole number from 1 to ${max} (got ${String(limit)}).`,
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
        `${parameter} 不能超过 ${MAX_CURSOR_BYTES} 字节（当前 ${bytes} 字节）。`,
        `${parameter} must be at most ${MAX_CURSOR_BYTES} bytes (got ${bytes}).`,
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
        `chat_type 只能是 1（单聊）或 2（群聊），当前为 ${String(chatType)}。`,
        `chat_type must be 1 (single chat) or 2 (group chat), got ${String(chatType)}.`,
      ),
    );
  }
  if (info.id_list !== undefined && chatType !== 1) {
    out.push(
      violation(
        'id_list.single_only',
        'chat_info.id_list',
        'id_list 只在 chat_type 为 1（单聊）时有效。',
        'id_list is only valid with chat_type 1 (single chat).',
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
          `单聊必须在 id_list 中恰好给出会话双方 2 个 id（当前 ${list.length} 个）。`,
          `A single chat needs exactly 2 entries in id_list, one per party (got ${list.length}).`,
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
            `id_list 第 ${index + 1} 项需要 open_userid（成员）或 external_userid（客户）。`,
            `id_list entry ${index + 1} needs an open_userid (member) or an external_userid (customer).`,
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
        'chat_id 只能与 chat_type 2（群聊）一起使用。',
        'chat_id can only be used with chat_type 2 (group chat).',
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
          `${name} 必须是 Unix 时间戳（秒，非负整数）。`,
          `${name} must be a Unix timestamp in whole seconds.`,
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
        '指定了 end_time 时也必须指定 start_time。',
        'start_time is required when end_time is given.',
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
        'start_time 必须早于 end_time。',
        'start_time must be earlier than end_time.',
      ),
    );
    return;
  }
  if (end - start > MAX_SEARCH_SPAN_SECONDS) {
    out.push(
      violation(
        'time.span',
        'end_time',
        '搜索的时间范围不能超过 30 天。',
        'The search time range cannot exceed 30 days.',
      ),
    );
  }
}

/** Rules of search_msg. Empty array = the request may be sent. */
export function validateSearchRequest(request: SearchMsgRequest): RuleViolation[] {
  const out: RuleViolation[] = [];
  const word: unknown = request.query_word;
  if (typeof word !== 'string' || word.length === 0) {
    out.push(violation('query_word.required', 'query_word', '请输入搜索词。', 'Enter a search word.'));
  } else if (codePointLength(word) < QUERY_MIN_CHARS) {
    out.push(
      violation(
        'query_word.min_chars',
        'query_word',
        `搜索词至少需要 ${QUERY_MIN_CHARS} 个字符。`,
        `The search word needs at least ${QUERY_MIN_CHARS} characters.`,
      ),
    );
  }
  checkChatInfo(request, out);
  checkTimes(request, out);
  checkLimit(request.limit, SEARCH_MAX_LIMIT, out);
  return out;
}
