/**
 * Which chat a message belongs to. A group is its chatid; a single chat has no id in WeCom, so it
 * is the sorted pair of its parties (docs/wecom-api.md §2): the sender and the one receiver (the sender itself
 * for a message to oneself).
 */
import type { Party } from '../../shared/wire';
import type { ChatKey, ChatKind } from './types';

export interface ChatIdentity {
  key: ChatKey;
  kind: ChatKind;
  chatid?: string;
  /** Single chats: the distinct parties, sorted by id. */
  parties: Party[];
}

const GROUP = 'g:';
const SINGLE = 's:';

export function groupKey(chatid: string): ChatKey {
  return `${GROUP}${chatid}`;
}

export function singleKey(a: string, b: string): ChatKey {
  return a <= b ? `${SINGLE}${a}|${b}` : `${SINGLE}${b}|${a}`;
}

/** The kind of chat a key names, read from the key alone (a panel may open before the chat's summary is loaded). */
export function chatKindOf(key: ChatKey): ChatKind {
  return key.startsWith(GROUP) ? 'group' : 'single';
}

/** A group chat's chatid (from its key when the summary has none); undefined for a single chat. */
export function groupChatId(chat: { readonly key: ChatKey; readonly chatid?: string }): string | undefined {
  return chat.chatid ?? (chat.key.startsWith(GROUP) ? chat.key.slice(GROUP.length) : undefined);
}

export function chatIdentity(chatid: string | undefined, sender: Party, receivers: readonly Party[]): ChatIdentity {
  if (chatid) return { key: groupKey(chatid), kind: 'group', chatid, parties: [] };
  const other = receivers[0] ?? sender;
  const key = singleKey(sender.id, other.id);
  if (other.id === sender.id) return { key, kind: 'single', parties: [{ type: sender.type, id: sender.id }] };
  const pair = sender.id < other.id ? [sender, other] : [other, sender];
  return { key, kind: 'single', parties: pair.map((p) => ({ type: p.type, id: p.id })) };
}
