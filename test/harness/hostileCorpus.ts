// Messages as WeCom's documents allow a server to send them, and as no UI expects them: 2,000-char
// ids (one ending in a tab), bidi overrides and marks, control characters, markup, an unknown
// msgtype, and send_times no Date can hold. Tier 2 renders them through the real row model; tier 3
// feeds them to the simulator. One group chat holds them all, so one stream shows every case.
import { chatIdentity } from '../../src/core/archive/chatKey';
import { toRow } from '../../src/core/archive/messageRows';
import type { MessageRow } from '../../src/shared/protocol';
import { parseMessage } from '../../src/core/wecom/wire';

/** A 2,000-character group id that ends in a tab (a trimmed copy matches nothing). */
export const LONG_GROUP = `wr${'G'.repeat(1997)}\t`;
/** A 2,000-character msgid and sender. */
export const LONG_MSGID = `msg-${'L'.repeat(1996)}`;
export const LONG_SENDER = `wo${'S'.repeat(1998)}`;
/** A right-to-left override: shown raw, "wo‮gpj.exe" reads "woexe.jpg". */
export const RLO_ID = 'wo\u202Egpj.exe';
export const RLM_ID = '\u200Fwm-rlm';
export const CONTROL_ID = 'wb\u0000\u0007\u001b[31m\r\nend';
export const MARKUP_ID = '<img src=x onerror="window.__xss=1">';
/** Searchable content every searchable corpus message carries (tier 3 searches for it). */
export const CORPUS_WORD = '敌意语料';

/** Times the API may send: impossible, negative, fractional, beyond a Date; and ordinary ones. */
export const HOSTILE_TIMES = [1e300, -1, 0.5, 2 ** 53] as const;

export interface CorpusMessage {
  /** The message as sync_msg returns it. */
  json: Record<string, unknown>;
  /** The searchable content (for msgtypes search_msg covers). */
  content?: string;
}

const party = (type: number, id: string) => ({ type, id });
const encrypt = { encrypted_secret_key: 'AAAA', public_key_ver: 1 };

export function hostileCorpus(now = 1_700_000_000): CorpusMessage[] {
  const senders = [party(1, LONG_SENDER), party(1, RLO_ID), party(2, RLM_ID), party(3, CONTROL_ID), party(2, MARKUP_ID)];
  const plan: { msgid: string; send_time: number; msgtype: number; sender: number }[] = [
    { msgid: LONG_MSGID, send_time: now - 50, msgtype: 1, sender: 0 },
    { msgid: `m-${RLO_ID}`, send_time: now - 40, msgtype: 1, sender: 1 },
    { msgid: `m-${RLM_ID}`, send_time: now - 30, msgtype: 8, sender: 2 },
    { msgid: `m-${CONTROL_ID}`, send_time: now - 20, msgtype: 999, sender: 3 },
    { msgid: `m-${MARKUP_ID}`, send_time: now - 10, msgtype: 1, sender: 4 },
    { msgid: 'm-time-1e300', send_time: 1e300, msgtype: 1, sender: 1 },
    { msgid: 'm-time-neg', send_time: -1, msgtype: 1, sender: 2 },
    { msgid: 'm-time-half', send_time: 0.5, msgtype: 20, sender: 0 },
    { msgid: 'm-time-2^53', send_time: 2 ** 53, msgtype: 22, sender: 3 },
    { msgid: `m-tab\t`, send_time: now, msgtype: 1, sender: 0 },
  ];
  return plan.map((p) => {
    const sender = senders[p.sender]!;
    const json: Record<string, unknown> = {
      msgid: p.msgid,
      sender,
      receiver_list: senders.filter((s) => s !== sender),
      chatid: LONG_GROUP,
      send_time: p.send_time,
      msgtype: p.msgtype,
      service_encrypt_info: encrypt,
      ...(p.msgtype === 22 ? { extra_info: { call_duration: 1e300 } } : {}),
    };
    return { json, ...([1, 4, 5, 8, 18, 20, 23].includes(p.msgtype) ? { content: `${CORPUS_WORD} ${p.msgid.slice(0, 40)}` } : {}) };
  });
}

/** The corpus as the host's row model renders it, in the archive's order (send_time, then arrival). */
export function hostileRows(now?: number): MessageRow[] {
  return hostileCorpus(now)
    .map(({ json }, i) => {
      const m = parseMessage(json)!;
      return { i, row: toRow({ ...m, chatKey: chatIdentity(m.chatid, m.sender, m.receivers).key }) };
    })
    .sort((a, b) => a.row.sendTime - b.row.sendTime || a.i - b.i)
    .map((x) => x.row);
}
