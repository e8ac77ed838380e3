import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWebviewMessage } from '../../src/panels/validateMessage';

const form = { queryWord: '合同', chatType: 0, partyA: '', partyB: '', chatId: '', start: '', end: '', limit: '50' };

describe('messages from a webview are validated by the host', () => {
  it('accepts ready and a well-formed request', () => {
    assert.deepEqual(parseWebviewMessage({ kind: 'ready' }), { kind: 'ready' });
    assert.deepEqual(parseWebviewMessage({ kind: 'request', id: 3, method: 'search.run', params: { form } }), { kind: 'request', id: 3, method: 'search.run', params: { form } });
  });

  it('refuses anything else', () => {
    for (const bad of [
      null, 'ready', [], { kind: 'nope' },
      { kind: 'request', id: 'x', method: 'search.run', params: { form } },
      { kind: 'request', id: 1, method: 'secrets.read', params: {} },
      { kind: 'request', id: 1, method: 'search.run', params: { form: { ...form, chatType: 3 } } },
      { kind: 'request', id: 1, method: 'search.run', params: { form: { ...form, queryWord: 'x'.repeat(5000) } } },
      { kind: 'request', id: 1, method: 'search.run', params: { form: { ...form, limit: 50 } } },
    ]) assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
  });

  it('drops fields the protocol does not know', () => {
    const m = parseWebviewMessage({ kind: 'request', id: 1, method: 'search.run', params: { form, extra: 1 }, evil: true });
    assert.deepEqual(m, { kind: 'request', id: 1, method: 'search.run', params: { form } });
  });
});
