import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptySearchForm, formToRequest, localDateTimeToUnix } from '../../../src/shared/searchRequest';
import { validateSearchRequest } from '../../../src/shared/rules';

describe('search form → search_msg request', () => {
  it('maps a single chat to id_list with the right id fields', () => {
    const req = formToRequest({ ...emptySearchForm(), queryWord: '合同', chatType: 1, partyA: 'wo1', partyAType: 1, partyB: 'wm2', partyBType: 2, limit: '100' });
    assert.deepEqual(req, { query_word: '合同', chat_info: { chat_type: 1, id_list: [{ open_userid: 'wo1' }, { external_userid: 'wm2' }] }, limit: 100 });
    assert.deepEqual(validateSearchRequest(req), []);
  });

  it('leaves out a missing party, so the id_list rule names it', () => {
    const req = formToRequest({ ...emptySearchForm(), queryWord: '合同', chatType: 1, partyA: 'wo1' });
    assert.ok(validateSearchRequest(req).some((v) => v.parameter.startsWith('chat_info.id_list')));
  });

  it('sends ids exactly as typed or stored: no trimming (an id may end in a tab or a space)', () => {
    const single = formToRequest({ ...emptySearchForm(), queryWord: 'ab', chatType: 1, partyA: ' wo1\t', partyB: 'wm2 ' });
    assert.deepEqual(single.chat_info, { chat_type: 1, id_list: [{ open_userid: ' wo1\t' }, { external_userid: 'wm2 ' }] });
    const group = formToRequest({ ...emptySearchForm(), queryWord: 'ab', chatType: 2, chatId: `wr${'x'.repeat(1998)}\t` });
    assert.equal(group.chat_info?.chat_id, `wr${'x'.repeat(1998)}\t`);
  });

  it('a single chat with neither party searches every single chat (id_list left out, no rule broken)', () => {
    const req = formToRequest({ ...emptySearchForm(), queryWord: 'ab', chatType: 1 });
    assert.deepEqual(req.chat_info, { chat_type: 1 });
    assert.deepEqual(validateSearchRequest(req), []);
  });

  it('maps a group chat and local date-times (exactly 30 days is accepted, one minute more is not)', () => {
    const base = { ...emptySearchForm(), queryWord: 'ab', chatType: 2 as const, chatId: 'wr1' };
    const ok = formToRequest({ ...base, start: '2026-10-01T00:00', end: '2026-10-31T00:00' });
    assert.equal(ok.chat_info?.chat_id, 'wr1');
    assert.equal((ok.end_time ?? 0) - (ok.start_time ?? 0), 30 * 86400);
    assert.deepEqual(validateSearchRequest(ok), []);
    const bad = formToRequest({ ...base, start: '2026-10-01T00:00', end: '2026-10-31T00:01' });
    assert.ok(validateSearchRequest(bad).length > 0);
  });

  it('converts datetime-local values in local time', () => {
    assert.equal(localDateTimeToUnix(''), undefined);
    assert.equal(localDateTimeToUnix('2026-01-02T03:04'), Math.floor(new Date(2026, 0, 2, 3, 4).getTime() / 1000));
    assert.ok(Number.isNaN(localDateTimeToUnix('not a date')));
  });
});
