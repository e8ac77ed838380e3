import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWebviewMessage } from '../../src/panels/validateMessage';

const form = { queryWord: '合同', chatType: 0, partyA: '', partyAType: 1, partyB: '', partyBType: 2, chatId: '', start: '', end: '', limit: '50' };

describe('messages from a webview are validated by the host', () => {
  it('accepts ready and every well-formed request', () => {
    assert.deepEqual(parseWebviewMessage({ kind: 'ready' }), { kind: 'ready' });
    const ok = [
      { method: 'search.run', params: { form, more: false } },
      { method: 'search.openHit', params: { msgid: 'm1' } },
      { method: 'search.export', params: { format: 'csv' } },
      { method: 'stream.page', params: { direction: 'older', limit: 100, filter: {} } },
      { method: 'stream.page', params: { direction: 'newer', from: { sendTime: 5, msgid: 'm' }, limit: 100, filter: { msgtypes: [1, 2], sender: 'wo1' } } },
      { method: 'stream.locate', params: { sendTime: 100, filter: {} } },
      { method: 'stream.around', params: { msgid: 'm', before: 50, after: 50, filter: {} } },
      { method: 'stream.senders', params: {} },
      { method: 'stream.setFilter', params: { filter: { msgtypes: [] } } },
      { method: 'message.action', params: { msgid: 'm', action: 'decryptKey' } },
    ];
    for (const r of ok) assert.deepEqual(parseWebviewMessage({ kind: 'request', id: 3, ...r }), { kind: 'request', id: 3, ...r }, r.method);
  });

  it('refuses anything else', () => {
    for (const bad of [
      null, 'ready', [], { kind: 'nope' },
      { kind: 'request', id: 'x', method: 'search.run', params: { form, more: false } },
      { kind: 'request', id: 1, method: 'secrets.read', params: {} },
      { kind: 'request', id: 1, method: 'search.run', params: { form: { ...form, chatType: 3 }, more: false } },
      { kind: 'request', id: 1, method: 'search.run', params: { form: { ...form, queryWord: 'x'.repeat(5000) }, more: false } },
      { kind: 'request', id: 1, method: 'search.run', params: { form: { ...form, limit: 50 }, more: false } },
      { kind: 'request', id: 1, method: 'search.run', params: { form } },
      { kind: 'request', id: 1, method: 'search.export', params: { format: 'xml' } },
      { kind: 'request', id: 1, method: 'stream.page', params: { direction: 'sideways', limit: 10, filter: {} } },
      { kind: 'request', id: 1, method: 'stream.page', params: { direction: 'older', limit: 0, filter: {} } },
      { kind: 'request', id: 1, method: 'stream.page', params: { direction: 'older', limit: 10, from: { sendTime: 'x', msgid: 'm' }, filter: {} } },
      { kind: 'request', id: 1, method: 'stream.page', params: { direction: 'older', limit: 10, filter: { msgtypes: ['1'] } } },
      { kind: 'request', id: 1, method: 'message.action', params: { msgid: 'm', action: 'deleteAll' } },
      { kind: 'request', id: 1, method: 'message.action', params: { msgid: 'm'.repeat(300), action: 'copyId' } },
    ]) assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad).slice(0, 120));
  });

  it('drops fields the protocol does not know', () => {
    const m = parseWebviewMessage({ kind: 'request', id: 1, method: 'search.run', params: { form: { ...form, evil: 1 }, more: true, extra: 1 }, evil: true });
    assert.deepEqual(m, { kind: 'request', id: 1, method: 'search.run', params: { form, more: true } });
  });
});
