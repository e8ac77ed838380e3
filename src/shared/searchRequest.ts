// The search form → the search_msg request it stands for. Pure and browser-safe: the host builds
// the request with it, and the webview checks the same request against search_msg's rules (docs/wecom-api.md §3) as the user types.
import type { SearchFormState } from './protocol';
import { type IdInfo, type IdPartyType, PARTY_EXTERNAL, type SearchMsgRequest } from './wire';

/** A datetime-local value ('YYYY-MM-DDTHH:mm[:ss]', the user's local time) → Unix seconds. */
export function localDateTimeToUnix(value: string): number | undefined {
  if (!value.trim()) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : Number.NaN;
}

// Ids go to the API exactly as typed or as stored: an id may end in a tab or a space, and WeCom
// matches it byte for byte. Only an empty field means "not given".
function idInfo(id: string, type: IdPartyType): IdInfo {
  return type === PARTY_EXTERNAL ? { external_userid: id } : { open_userid: id };
}

export function formToRequest(form: SearchFormState): SearchMsgRequest {
  const req: SearchMsgRequest = { query_word: form.queryWord };
  if (form.chatType === 1) {
    const ids = [
      [form.partyA, form.partyAType],
      [form.partyB, form.partyBType],
    ] as const;
    const given = ids.filter(([id]) => id !== '');
    // Neither party: all single chats (id_list is optional); one or two: the rule checks the count.
    req.chat_info = given.length > 0 ? { chat_type: 1, id_list: given.map(([id, type]) => idInfo(id, type)) } : { chat_type: 1 };
  } else if (form.chatType === 2) {
    req.chat_info = form.chatId !== '' ? { chat_type: 2, chat_id: form.chatId } : { chat_type: 2 };
  }
  const start = localDateTimeToUnix(form.start);
  const end = localDateTimeToUnix(form.end);
  if (start !== undefined) req.start_time = start;
  if (end !== undefined) req.end_time = end;
  if (form.limit.trim()) req.limit = Number(form.limit);
  return req;
}

export function emptySearchForm(): SearchFormState {
  return { queryWord: '', chatType: 0, partyA: '', partyAType: 1, partyB: '', partyBType: 2, chatId: '', start: '', end: '', limit: '50' };
}
