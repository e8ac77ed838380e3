import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatSummary } from '../../../src/core/archive/types';
import { chatDescription, chatIcon, chatLabel, chatTooltipMarkdown, mdEscape, relativeTime } from '../../../src/host/chats/chatFormat';
import { english } from '../../../src/shared/text';
import { chinese } from '../../harness/l10n';

const single: ChatSummary = { key: 's:wm1|wo1', kind: 'single', parties: [{ type: 2, id: 'wm1' }, { type: 1, id: 'wo1' }], memberCount: 2, firstTime: 100, lastTime: 1000, count: 1234, countsByType: { 1: 1000, 2: 234 }, keyVersions: [1, 2] };
const group: ChatSummary = { key: 'g:wr9', kind: 'group', chatid: 'wr9', parties: [], memberCount: 12, firstTime: 100, lastTime: 1000, count: 5, countsByType: { 22: 5 }, keyVersions: [1] };

describe('chat labels, descriptions and tooltips', () => {
  it('labels single chats by their two parties and groups by chatid (with names where known)', () => {
    assert.equal(chatLabel(single), 'wm1 ↔ wo1');
    assert.equal(chatLabel(single, (id) => (id === 'wo1' ? '张三' : undefined)), 'wm1 ↔ 张三 (wo1)');
    assert.equal(chatLabel(group), 'wr9');
    assert.equal(chatLabel(group, () => '销售群'), '销售群 · wr9');
  });

  it('picks the icon of the most notable party', () => {
    assert.equal(chatIcon(single), 'account');
    assert.equal(chatIcon({ ...single, parties: [{ type: 1, id: 'a' }, { type: 3, id: 'b' }] }), 'hubot');
    assert.equal(chatIcon(group), 'organization');
  });

  it('describes count, parties or members, relative time and new messages in both languages', () => {
    const now = 1000 * 1000 + 3 * 3600 * 1000;
    assert.equal(chatDescription(single, now, english, 3), '+3 new · 1,234 msgs · external ↔ employee · 3h ago');
    assert.equal(chatDescription(group, now, chinese), '5 条 · 12 人 · 3 小时前');
    assert.equal(relativeTime(1000, 1000 * 1000 + 10_000, english), 'just now');
    assert.equal(relativeTime(0, 2 * 86400 * 1000, chinese), '2 天前');
  });

  it('tooltips list ids, times, counts by msgtype and key versions, with Markdown escaped', () => {
    const md = chatTooltipMarkdown({ ...single, parties: [{ type: 2, id: '[x](javascript:alert(1))' }, { type: 1, id: 'wo1' }] }, english);
    assert.ok(md.includes('Text (1): 1000'));
    assert.ok(md.includes('Image (2): 234'));
    assert.ok(md.includes('Key versions: 1, 2'));
    assert.ok(md.includes('employee: ` wo1 `') && md.includes('external: ` [x](javascript:alert(1)) `'), 'ids are inline code: shown literally, never a link');
    assert.equal(mdEscape('a*b_[c]'), 'a\\*b\\_\\[c\\]');
  });

  it('a bidi override in an id shows as a marker, in labels, descriptions and tooltips', () => {
    const spoof: ChatSummary = { ...group, key: 'g:wo\u202Egpj.exe', chatid: 'wo\u202Egpj.exe' };
    assert.equal(chatLabel(spoof), 'wo⟨U+202E⟩gpj.exe');
    assert.equal(chatLabel({ ...single, parties: [{ type: 2, id: 'wm\t' }, { type: 1, id: 'wo\u200F1' }] }), 'wm⟨U+0009⟩ ↔ wo⟨U+200F⟩1');
    assert.ok(chatTooltipMarkdown(spoof, english).includes('` wo⟨U+202E⟩gpj.exe `'));
    assert.ok(!/[\u202A-\u202E\u2066-\u2069\u200E\u200F]/.test(chatTooltipMarkdown(spoof, english)));
  });

  it('tooltips show ids as code: a URL-shaped id is no link', () => {
    const md = chatTooltipMarkdown({ ...group, chatid: 'https://3232235777/login', key: 'g:https://3232235777/login' }, english);
    assert.ok(md.includes('Group id: ` https://3232235777/login `'), md);
    for (const line of md.split('  \n')) if (line.includes('3232235777')) assert.ok(/` https:\/\/3232235777\/login `/.test(line), line);
  });

  it('an impossible time is named, not thrown: tooltips and descriptions', () => {
    const odd = { ...group, firstTime: -1, lastTime: 1e300 };
    assert.ok(chatTooltipMarkdown(odd, english).includes('Last: invalid time 1e+300'));
    assert.ok(chatDescription(odd, Date.now(), english).includes('invalid time 1e+300'));
    assert.ok(chatDescription(odd, Date.now(), chinese).includes('无效时间 1e+300'));
  });

  it('counts are singular for one', () => {
    assert.match(chatDescription({ ...group, count: 1, memberCount: 1 }, 1000 * 1000, english), /^1 msg · 1 member · /);
  });
});
