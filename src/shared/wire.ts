/**
 * The shapes of `sync_msg` and `search_msg` requests and replies as WeCom documents them
 * (docs/wecom-api.md), and the message type the product stores and shows. Types and limits only:
 * shared by the core, the host and the webviews.
 */
export type JsonObject = { readonly [key: string]: unknown };

// ---------------------------------------------------------------- requests (as WeCom documents them, docs/wecom-api.md §2, §3)

/** Body of `POST /cgi-bin/chatdata/sync_msg`. */
export interface SyncMsgRequest {
  /** `next_cursor` of the previous call; omitted on the first call. ≤ 128 bytes. */
  cursor?: string;
  /** The `token` of the `conversation_new_message` callback (valid 10 min). ≤ 128 bytes. */
  token?: string;
  /** 1..1000, server default 200. */
  limit?: number;
}

/** One party of a single chat in `search_msg.chat_info.id_list`. */
export interface IdInfo {
  open_userid?: string;
  external_userid?: string;
}

export interface SearchChatInfo {
  /** 1 single chat, 2 group chat. */
  chat_type?: number;
  /** Single chat only: exactly the two parties. */
  id_list?: IdInfo[];
  /** Group chat only. */
  chat_id?: string;
}

/** Body of `POST /cgi-bin/chatdata/search_msg`. */
export interface SearchMsgRequest {
  query_word: string;
  chat_info?: SearchChatInfo;
  start_time?: number;
  end_time?: number;
  /** 1..100, server default 50. */
  limit?: number;
  cursor?: string;
}

export const SYNC_DEFAULT_LIMIT = 200;
export const SYNC_MAX_LIMIT = 1000;
export const SEARCH_DEFAULT_LIMIT = 50;
export const SEARCH_MAX_LIMIT = 100;

// ---------------------------------------------------------------- replies (as WeCom documents them)

export interface WirePartyRef {
  type: number;
  id: string;
}

export interface WireMessage {
  msgid: string;
  sender: WirePartyRef;
  receiver_list?: WirePartyRef[];
  chatid?: string;
  send_time: number;
  msgtype: number;
  service_encrypt_info?: { encrypted_secret_key?: string; public_key_ver?: number };
  extra_info?: { call_duration?: number };
}

export interface SyncMsgReply {
  errcode: number;
  errmsg: string;
  has_more: boolean | 0 | 1;
  next_cursor: string;
  msg_list: WireMessage[];
}

export interface SearchMsgReply {
  errcode: number;
  errmsg: string;
  has_more?: 0 | 1 | boolean;
  next_cursor?: string;
  msg_list: Array<{ msgid: string }>;
}

// ---------------------------------------------------------------- product types

/** 1 employee (id = open_userid), 2 external contact (external_userid), 3 robot; others kept as-is (docs/wecom-api.md §2). */
export type PartyType = number;
export const PARTY_EMPLOYEE = 1;
export const PARTY_EXTERNAL = 2;
export const PARTY_ROBOT = 3;
/** The party types WeCom documents; a filter or a form offers only these. */
export type KnownPartyType = typeof PARTY_EMPLOYEE | typeof PARTY_EXTERNAL | typeof PARTY_ROBOT;
export const KNOWN_PARTY_TYPES: readonly KnownPartyType[] = [PARTY_EMPLOYEE, PARTY_EXTERNAL, PARTY_ROBOT];
/** The two kinds of id search_msg's id_list takes: open_userid or external_userid. */
export type IdPartyType = typeof PARTY_EMPLOYEE | typeof PARTY_EXTERNAL;

/** A group chat (a chatid) or a single chat (two parties, no id of its own). */
export type ChatKind = 'group' | 'single';
/** Both kinds, groups first (the tree's order). */
export const CHAT_KINDS: readonly ChatKind[] = ['group', 'single'];

export interface Party {
  readonly type: PartyType;
  readonly id: string;
}

/** A message as the archive stores it and the UI shows it. */
export interface ArchiveMessage {
  readonly msgid: string;
  readonly sender: Party;
  /** The sender is not in it, except for a message to oneself (docs/wecom-api.md §2). */
  readonly receivers: readonly Party[];
  /** Group chats only; a single chat is identified by its two parties. */
  readonly chatid?: string;
  /** Unix seconds. */
  readonly sendTime: number;
  readonly msgtype: number;
  readonly encryptedSecretKey?: string;
  readonly publicKeyVer?: number;
  /** Seconds; msgtypes 21 and 22 only, and only when the reply carries it. */
  readonly callDuration?: number;
  /** The message object exactly as received, for "show raw JSON" and for fields we don't model yet. */
  readonly raw: JsonObject;
}

export interface SyncPageData {
  readonly messages: ArchiveMessage[];
  /** Each message's JSON exactly as received, in the order of `messages`; absent when the reply
   * text was not given or could not be split (then `raw` is the only source). */
  readonly texts?: readonly string[];
  readonly nextCursor: string;
  readonly hasMore: boolean;
  /** Entries of msg_list that could not be used (no msgid): counted so the caller can log them. */
  readonly skipped: number;
}

export interface SearchPageData {
  readonly msgids: string[];
  readonly nextCursor: string;
  readonly hasMore: boolean;
  readonly skipped: number;
}

export interface Envelope {
  readonly errcode: number;
  readonly errmsg: string;
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };
