// Message JSON for sync_msg, built from precomputed fragments (party JSON, receiver lists per
// conversation and sender, encrypt info per key slot) so a 1000-message page is plain concatenation.
import type { Corp } from './corp';
import type { KeyRing } from './keys';
import type { MsgIdCodec } from './msgid';
import { RAW_MSGTYPE, type RawMessages } from './rawMessages';
import type { MessageStore } from './store';

/** A message exactly as sync_msg returns it. */
export interface WeComMessage {
  msgid: string;
  sender: { type: number; id: string };
  receiver_list: { type: number; id: string }[];
  chatid?: string;
  send_time: number;
  msgtype: number;
  service_encrypt_info: { encrypted_secret_key: string; public_key_ver: number };
  extra_info?: { call_duration: number };
}

export class MessageSerializer {
  /** Key conv * 256 + senderPos → `[{…},{…}]` (everyone in the chat but the sender). */
  private readonly receivers = new Map<number, string>();
  private readonly chatFragments: readonly string[];

  constructor(
    private readonly corp: Corp,
    private readonly store: MessageStore,
    private readonly keys: KeyRing,
    private readonly msgids: MsgIdCodec,
    private readonly raws: RawMessages,
  ) {
    this.chatFragments = corp.conversations.map((c) => (c.chatid === undefined ? '' : `,"chatid":"${c.chatid}"`));
  }

  private receiverList(conv: number, senderPos: number): string {
    const key = conv * 256 + senderPos;
    let s = this.receivers.get(key);
    if (s === undefined) {
      const members = this.corp.conversations[conv]!.members;
      const parts: string[] = [];
      members.forEach((p, pos) => {
        if (pos !== senderPos) parts.push(this.corp.parties[p]!.json);
      });
      s = `[${parts.join(',')}]`;
      this.receivers.set(key, s);
    }
    return s;
  }

  /** A msgid as a JSON string literal. */
  msgidJson(i: number): string {
    const { store } = this;
    return store.msgtype(i) === RAW_MSGTYPE ? JSON.stringify(this.raws.get(store.extra(i))!.msgid) : `"${this.msgids.encode(i)}"`;
  }

  json(i: number): string {
    const { store } = this;
    const type = store.msgtype(i);
    if (type === RAW_MSGTYPE) return this.raws.get(store.extra(i))!.text;
    const conv = store.conv(i);
    const pos = store.senderPos(i);
    const sender = this.corp.parties[this.corp.conversations[conv]!.members[pos]!]!;
    const extra = type === 21 || type === 22 ? `,"extra_info":{"call_duration":${store.extra(i)}}` : '';
    return `{"msgid":"${this.msgids.encode(i)}","sender":${sender.json},"receiver_list":${this.receiverList(conv, pos)}${this.chatFragments[conv]},"send_time":${store.sendTime(i)},"msgtype":${type},${this.keys.fragment(i)}${extra}}`;
  }

  /** Messages [from, to) as a JSON array body. */
  list(from: number, to: number): string {
    if (to <= from) return '[]';
    const parts = new Array<string>(to - from);
    for (let i = from; i < to; i++) parts[i - from] = this.json(i);
    return `[${parts.join(',')}]`;
  }

  view(i: number): WeComMessage {
    return JSON.parse(this.json(i)) as WeComMessage;
  }
}
