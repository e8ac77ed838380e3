// Protocol fuzz: random and malformed messages into the host's checker and dispatcher (the code
// every panel runs). Every request that carries an id gets exactly one reply with that id, the
// checker never throws, and nothing without an id is answered.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createDispatcher } from '../../../src/host/panels/dispatch';
import { checkWebviewMessage } from '../../../src/host/panels/validateMessage';
import type { HostToWebview, InitMessage, RequestMethod } from '../../../src/shared/protocol';
import { emptySearchForm } from '../../../src/shared/searchRequest';

const METHODS: RequestMethod[] = ['stream.page', 'stream.locate', 'stream.around', 'stream.senders', 'stream.setFilter', 'message.action', 'search.run', 'search.openHit', 'search.export'];

/** Strings as the API may send them: long, bidi, control characters, markup. */
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom('wo\u202Egpj.exe', '\u200Fwr\u0000\t', '<img src=x onerror=alert(1)>', `wr${'x'.repeat(1998)}`, 'id\t', ' '),
);
const hostileNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(1e300, -1, 0.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, -0));

/** Params close to valid: right names, any values (so the checker's every branch is reached). */
const nearParams = fc.record(
  {
    direction: fc.oneof(fc.constantFrom('older', 'newer'), hostileString),
    from: fc.oneof(fc.record({ sendTime: hostileNumber, msgid: hostileString }), fc.anything()),
    limit: fc.oneof(fc.integer({ min: -5, max: 20_000 }), hostileNumber),
    before: fc.integer({ min: -1, max: 20_000 }),
    after: fc.integer({ min: -1, max: 20_000 }),
    filter: fc.oneof(fc.record({ msgtypes: fc.array(fc.oneof(fc.integer(), hostileNumber), { maxLength: 5 }), sender: hostileString }, { requiredKeys: [] }), fc.anything()),
    sendTime: hostileNumber,
    msgid: fc.oneof(hostileString, fc.anything()),
    action: fc.constantFrom('copyId', 'showRaw', 'decryptKey', 'openViewer', 'delete'),
    form: fc.oneof(
      fc.record({
        queryWord: hostileString,
        chatType: fc.constantFrom(0, 1, 2, 3),
        partyA: hostileString,
        partyAType: fc.constantFrom(1, 2, 0),
        partyB: hostileString,
        partyBType: fc.constantFrom(1, 2),
        chatId: hostileString,
        start: fc.string(),
        end: fc.string(),
        limit: fc.oneof(fc.string(), fc.integer()),
      }),
      fc.constant(emptySearchForm()),
      fc.anything(),
    ),
    more: fc.oneof(fc.boolean(), fc.anything()),
    format: fc.constantFrom('json', 'csv', 'xml'),
  },
  { requiredKeys: [] },
);

const message = fc.oneof(
  fc.anything(),
  fc.constant({ kind: 'ready' }),
  fc.record(
    {
      kind: fc.constantFrom('request', 'request', 'ready', 'response', 'event'),
      id: fc.oneof(fc.nat(), fc.integer(), hostileNumber, fc.string()),
      method: fc.oneof(fc.constantFrom(...METHODS), hostileString),
      params: fc.oneof(nearParams, fc.anything()),
    },
    { requiredKeys: ['kind'] },
  ),
);

/** Whether the protocol says this message must be answered: a request with a usable id. */
const answerable = (m: unknown): m is { id: number } =>
  typeof m === 'object' && m !== null && !Array.isArray(m) && (m as { kind?: unknown }).kind === 'request' && Number.isSafeInteger((m as { id?: unknown }).id) && ((m as { id: number }).id >= 0);

const init: InitMessage = { kind: 'init', view: 'search', lang: 'en', data: { profileName: '', form: emptySearchForm(), formVersion: 1, recent: [], autoRun: false } };

describe('protocol fuzz: every request with an id gets exactly one reply', () => {
  it('the checker never throws, and refuses only with a rule', () => {
    fc.assert(
      fc.property(message, (m) => {
        const r = checkWebviewMessage(m);
        if (!r.ok) assert.ok(r.rule.length > 0);
        else if (r.message.kind === 'request') assert.equal(r.message.id, (m as { id: number }).id);
      }),
      { numRuns: 3000 },
    );
  });

  it('the dispatcher answers each request once (result, refused or failed), and nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(message, fc.boolean(), fc.boolean(), async (m, fail, slow) => {
        const sent: HostToWebview[] = [];
        // Handlers for every method: each answers (or throws) after a random delay.
        const handler = async () => {
          if (slow) await new Promise((r) => setImmediate(r));
          if (fail) throw new Error('the archive is gone');
          return {} as never;
        };
        const dispatch = createDispatcher({
          makeInit: () => init,
          handlers: Object.fromEntries(METHODS.map((k) => [k, handler])),
          send: (x) => sent.push(x),
          refusedText: (rule) => `refused: ${rule}`,
          describeError: (e) => String(e),
          warn: () => {},
        });
        await dispatch(m);
        const replies = sent.filter((x) => x.kind === 'response');
        if (answerable(m)) {
          assert.equal(replies.length, 1, `one reply to ${JSON.stringify(m)?.slice(0, 200)}`);
          const reply = replies[0]!;
          assert.equal(reply.kind === 'response' && reply.id, m.id);
          if (reply.kind === 'response' && !reply.ok) assert.ok(reply.error.length > 0 && (reply.code === 'refused' || reply.code === 'failed'));
          if (reply.kind === 'response' && reply.ok) assert.equal(checkWebviewMessage(m).ok, true, 'only checked requests reach a handler');
        } else {
          assert.equal(replies.length, 0);
        }
        const isReady = typeof m === 'object' && m !== null && !Array.isArray(m) && (m as { kind?: unknown }).kind === 'ready';
        assert.equal(sent.filter((x) => x.kind === 'init').length, isReady ? 1 : 0);
      }),
      { numRuns: 3000 },
    );
  });

  it('a request refused by the checker is answered with the rule it broke', async () => {
    const sent: HostToWebview[] = [];
    const dispatch = createDispatcher({ makeInit: () => init, handlers: {}, send: (x) => sent.push(x), refusedText: (r) => r, describeError: String, warn: () => {} });
    await dispatch({ kind: 'request', id: 7, method: 'stream.page', params: { direction: 'older', limit: 0, filter: {} } });
    await dispatch({ kind: 'request', id: 8, method: 'search.openHit', params: { msgid: 'm' } });
    assert.deepEqual(sent, [
      { kind: 'response', id: 7, ok: false, code: 'refused', error: 'params.limit must be an integer 1–10000' },
      { kind: 'response', id: 8, ok: false, code: 'refused', error: 'unsupported method search.openHit' },
    ]);
  });
});
