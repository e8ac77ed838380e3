// The search_msg request the form would send (the host's own formToRequest, so the form checks
// exactly what the host will send), the same rules as the host's client (src/shared/rules.ts), and
// which form field each rule violation belongs to.
import { formToRequest } from '../../src/shared/searchRequest';
import type { SearchFormState } from '../../src/shared/protocol';
import { type RuleViolation, validateSearchRequest } from '../../src/shared/rules';

export { formToRequest };

export type FormField = 'queryWord' | 'chatType' | 'partyA' | 'partyB' | 'chatId' | 'start' | 'end' | 'limit';

/** The form field a rule violation is shown next to. */
export function fieldOf(v: RuleViolation): FormField {
  const p = v.parameter;
  if (p === 'query_word') return 'queryWord';
  if (p === 'chat_info.chat_type') return 'chatType';
  if (p === 'chat_info.id_list[1]') return 'partyB';
  if (p.startsWith('chat_info.id_list')) return 'partyA';
  if (p === 'chat_info.chat_id') return 'chatId';
  if (p === 'start_time') return 'start';
  if (p === 'end_time') return 'end';
  if (p === 'limit') return 'limit';
  return 'queryWord';
}

export function validateForm(form: SearchFormState): RuleViolation[] {
  return validateSearchRequest(formToRequest(form));
}
