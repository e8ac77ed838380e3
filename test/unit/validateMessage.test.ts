import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkWebviewMessage, parseWebviewMessage } from '../../src/host/panels/validateMessage';

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
      { kind: 'request', id: 1, method: 'search.run', params: { form: { ...form, limit: 50 }, more: false } },
      { kind: 'request', id: 1, method: 'search.run', params: { form } },
      { kind: 'request', id: 1, method: 'search.export', params: { format: 'xml' } },
      { kind: 'request', id: 1, method: 'stream.page', params: { direction: 'sideways', limit: 10, filter: {} } },
      { kind: 'request', id: 1, method: 'stream.page', params: { direction: 'older', limit: 0, filter: {} } },
      { kind: 'request', id: 1, method: 'stream.page', params: { direction: 'older', limit: 10, from: { sendTime: 'x', msgid: 'm' }, filter: {} } },
      { kind: 'request', id: 1, method: 'stream.page', params: { direction: 'older', limit: 10, filter: { msgtypes: ['1'] } } },
      { kind: 'request', id: 1, method: 'message.action', params: { msgid: 'm', action: 'deleteAll' } },
      { kind: 'request', id: 1, method: 'stream.locate', params: { sendTime: Number.NaN, filter: {} } },
      { kind: 'request', id: 1, method: 'stream.page', params: { direction: 'older', limit: 10, from: { sendTime: Number.POSITIVE_INFINITY, msgid: 'm' }, filter: {} } },
    ]) assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad).slice(0, 120));
  });

  it('accepts what the API may send: ids of any length and any finite send_time', () => {
    const long = `wr${'长'.repeat(1998)}\u202E\t`;
    for (const sendTime of [1e300, -1, 0.5, 2 ** 53, 0]) {
      const page = { method: 'stream.page', params: { direction: 'older', from: { sendTime, msgid: long }, limit: 200, filter: { sender: long } } };
      assert.deepEqual(parseWebviewMessage({ kind: 'request', id: 9, ...page }), { kind: 'request', id: 9, ...page });
    }
    const forms = { method: 'search.run', params: { form: { ...form, chatType: 2, chatId: long, queryWord: 'x'.repeat(5000) }, more: false } };
    assert.deepEqual(parseWebviewMessage({ kind: 'request', id: 9, ...forms }), { kind: 'request', id: 9, ...forms });
    for (const method of ['search.openHit', 'stream.around', 'message.action']) {
      const params = { msgid: long, ...(method === 'stream.around' ? { before: 1, after: 1, filter: {} } : method === 'message.action' ? { action: 'copyId' } : {}) };
      assert.deepEqual(parseWebviewMessage({ kind: 'request', id: 9, method, params }), { kind: 'request', id: 9, method, params }, method);
    }
  });

  it('names the rule a refused request broke, with its id', () => {
    assert.deepEqual(checkWebviewMessage({ kind: 'request', id: 4, method: 'stream.page', params: { direction: 'older', limit: 0, filter: {} } }), {
      ok: false,
      id: 4,
      rule: 'params.limit must be an integer 1–10000',
    });
    const r = checkWebviewMessage({ kind: 'request', id: 5, method: 'secrets.read', params: {} });
    assert.ok(!r.ok && r.id === 5 && r.rule.includes('secrets.read'));
    assert.deepEqual(checkWebviewMessage({ kind: 'request', id: -1, method: 'stream.senders', params: {} }), { ok: false, id: undefined, rule: 'id must be a non-negative integer' });
  });

  it('drops fields the protocol does not know', () => {
    const m = parseWebviewMessage({ kind: 'request', id: 1, method: 'search.run', params: { form: { ...form, evil: 1 }, more: true, extra: 1 }, evil: true });
    assert.deepEqual(m, { kind: 'request', id: 1, method: 'search.run', params: { form, more: true } });
  });
});
