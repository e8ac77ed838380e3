// The host's side of the webview protocol, without `vscode`: checks each message, answers `ready`
// with an `init`, routes requests to their handlers, and answers every request that has an id
// exactly once (its result, the rule it broke, or why it failed). Tested in plain Node (tier 1).
import type { HostToWebview, InitMessage, RequestMap, RequestMethod } from '../../shared/protocol';
import { checkWebviewMessage } from './validateMessage';

export type RequestHandlers = {
  [M in RequestMethod]?: (params: RequestMap[M]['params']) => Promise<RequestMap[M]['result']>;
};

export interface DispatchOptions {
  makeInit: () => InitMessage | Promise<InitMessage>;
  handlers: RequestHandlers;
  send: (m: HostToWebview) => void;
  /** After an `init` was sent: the webview is ready for events. */
  onInit?: () => void;
  /** The user's sentence for a refused request (localized by the host). */
  refusedText: (rule: string) => string;
  /** The user's sentence for a failed handler. */
  describeError: (e: unknown) => string;
  warn: (text: string) => void;
}

/** Returns the function that handles one raw message from the webview. */
export function createDispatcher(o: DispatchOptions): (raw: unknown) => Promise<void> {
  return async (raw) => {
    const checked = checkWebviewMessage(raw);
    if (!checked.ok) {
      o.warn(`Refused a message from a webview: ${checked.rule}`);
      if (checked.id !== undefined) o.send({ kind: 'response', id: checked.id, ok: false, code: 'refused', error: o.refusedText(checked.rule) });
      return;
    }
    const msg = checked.message;
    if (msg.kind === 'ready') {
      try {
        o.send(await o.makeInit());
        o.onInit?.();
      } catch (e) {
        o.warn(`A panel could not be initialized: ${e instanceof Error ? e.message : String(e)}`);
      }
      return;
    }
    const request = msg;
    const handler = o.handlers[request.method] as ((p: typeof request.params) => Promise<RequestMap[RequestMethod]['result']>) | undefined;
    if (!handler) {
      o.send({ kind: 'response', id: request.id, ok: false, code: 'refused', error: o.refusedText(`unsupported method ${request.method}`) });
      return;
    }
    let result: RequestMap[RequestMethod]['result'];
    try {
      result = await handler(request.params);
    } catch (e) {
      // The typed errors carry the user's language and the next step.
      o.send({ kind: 'response', id: request.id, ok: false, code: 'failed', error: o.describeError(e) });
      return;
    }
    o.send({ kind: 'response', id: request.id, ok: true, result });
  };
}
