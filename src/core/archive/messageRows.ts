// Archive messages → the rows the webviews render (no raw JSON, no secrets).
import type { StoredMessage } from './types';
import type { MessageRow, PartyView } from '../../shared/protocol';

const MAX_RECEIVERS = 20;

/** A row for a webview (at most 20 receivers) or, with maxReceivers Infinity, for an export. */
export function toRow(m: StoredMessage, nameOf: (id: string) => string | undefined = () => undefined, maxReceivers = MAX_RECEIVERS): MessageRow {
  const party = (p: { type: number; id: string }): PartyView => {
    const name = nameOf(p.id);
    return name ? { type: p.type, id: p.id, name } : { type: p.type, id: p.id };
  };
  return {
    msgid: m.msgid,
    sendTime: m.sendTime,
    msgtype: m.msgtype,
    sender: party(m.sender),
    receivers: m.receivers.slice(0, maxReceivers).map(party),
    receiverCount: m.receivers.length,
    ...(m.chatid !== undefined ? { chatid: m.chatid } : {}),
    chatKey: m.chatKey,
    ...(m.publicKeyVer !== undefined ? { publicKeyVer: m.publicKeyVer } : {}),
    ...(m.callDuration !== undefined ? { callDuration: m.callDuration } : {}),
  };
}
