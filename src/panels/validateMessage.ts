// Every message a webview posts is untrusted input: check its shape before the host acts on it.
import type { SearchFormState, WebviewToHost } from '../protocol';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;

function isSearchForm(v: unknown): v is SearchFormState {
  if (!isObject(v)) return false;
  const strings = ['queryWord', 'partyA', 'partyB', 'chatId', 'start', 'end', 'limit'] as const;
  return strings.every((k) => isString(v[k], 1024)) && (v.chatType === 0 || v.chatType === 1 || v.chatType === 2);
}

/** Returns the message typed, or undefined if it is not one the protocol allows. */
export function parseWebviewMessage(raw: unknown): WebviewToHost | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.kind === 'ready') return { kind: 'ready' };
  if (raw.kind !== 'request' || !Number.isSafeInteger(raw.id) || !isObject(raw.params)) return undefined;
  const id = raw.id as number;
  switch (raw.method) {
    case 'search.run':
      return isSearchForm(raw.params.form) ? { kind: 'request', id, method: 'search.run', params: { form: raw.params.form } } : undefined;
    default:
      return undefined;
  }
}
