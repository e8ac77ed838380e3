// Labels, descriptions and tooltips of chats, in the user's language. Pure, so the tree model is
// tested in Node and the chat QuickPick shows exactly the same labels.
import type { ChatSummary } from '../../core/archive/types';
import { markdownCode, timeMs, visibleText } from '../../shared/visibleText';
import { msgtypeLabel } from '../../shared/msgtypes';

export type Lang = 'zh' | 'en';
export type NameOf = (id: string) => string | undefined;

const PARTY: Record<number, { zh: string; en: string }> = {
  1: { zh: '员工', en: 'employee' },
  2: { zh: '客户', en: 'external' },
  3: { zh: '机器人', en: 'robot' },
};

export function partyTypeLabel(type: number, lang: Lang): string {
  const p = PARTY[type];
  return p ? p[lang] : lang === 'zh' ? `类型 ${type}` : `type ${type}`;
}

/** The codicon of a party type. */
export function partyIcon(type: number): string {
  return type === 2 ? 'account' : type === 3 ? 'hubot' : 'person';
}

function party(id: string, nameOf: NameOf): string {
  const name = nameOf(id);
  return name ? `${visibleText(name)} (${visibleText(id)})` : visibleText(id);
}

/** The chat's name for people: ids and names with bidi and control characters made visible. */
export function chatLabel(chat: ChatSummary, nameOf: NameOf = () => undefined): string {
  if (chat.kind === 'group') {
    const id = chat.chatid ?? chat.key.slice(2);
    const name = nameOf(id);
    return name ? `${visibleText(name)} · ${visibleText(id)}` : visibleText(id);
  }
  const [a, b] = chat.parties;
  if (!a) return visibleText(chat.key);
  return b ? `${party(a.id, nameOf)} ↔ ${party(b.id, nameOf)}` : party(a.id, nameOf);
}

/** The icon of a chat: groups one icon; single chats that of the most notable party (external > robot > employee). */
export function chatIcon(chat: ChatSummary): string {
  if (chat.kind === 'group') return 'organization';
  const types = chat.parties.map((p) => p.type);
  return partyIcon(types.includes(2) ? 2 : types.includes(3) ? 3 : 1);
}

/** "invalid time 1e+300": a send_time no date can show, named exactly as it came. */
export function invalidTime(seconds: number, lang: Lang): string {
  return lang === 'zh' ? `无效时间 ${seconds}` : `invalid time ${seconds}`;
}

export function relativeTime(seconds: number, nowMs: number, lang: Lang): string {
  if (timeMs(seconds) === undefined) return invalidTime(seconds, lang);
  const d = Math.max(0, Math.round(nowMs / 1000 - seconds));
  const [n, unitZh, unitEn] =
    d < 60 ? [d, '秒', 's'] : d < 3600 ? [Math.floor(d / 60), '分钟', 'm'] : d < 86400 ? [Math.floor(d / 3600), '小时', 'h'] : [Math.floor(d / 86400), '天', 'd'];
  if (d < 60) return lang === 'zh' ? '刚刚' : 'just now';
  return lang === 'zh' ? `${n} ${unitZh}前` : `${n}${unitEn} ago`;
}

export function chatDescription(chat: ChatSummary, nowMs: number, lang: Lang, newCount = 0): string {
  const count = lang === 'zh' ? `${chat.count.toLocaleString('zh-CN')} 条` : `${chat.count.toLocaleString('en-US')} ${chat.count === 1 ? 'msg' : 'msgs'}`;
  const parts = [count, relativeTime(chat.lastTime, nowMs, lang)];
  if (chat.kind === 'group') parts.splice(1, 0, lang === 'zh' ? `${chat.memberCount.toLocaleString('zh-CN')} 人` : `${chat.memberCount.toLocaleString('en-US')} ${chat.memberCount === 1 ? 'member' : 'members'}`);
  else parts.splice(1, 0, chat.parties.map((p) => partyTypeLabel(p.type, lang)).join(' ↔ '));
  if (newCount > 0) parts.unshift(lang === 'zh' ? `新 ${newCount}` : `+${newCount} new`);
  return parts.join(' · ');
}

const when = (s: number, lang: Lang) => {
  const ms = timeMs(s);
  return ms === undefined ? invalidTime(s, lang) : new Date(ms).toLocaleString();
};
/** Escapes Markdown in text of our own making (profile names); ids go in as code (markdownCode). */
export const mdEscape = (s: string): string => visibleText(s).replace(/[\\`*_{}[\]()#+\-.!|<>~:@/&]/g, (c) => `\\${c}`);

export function chatTooltipMarkdown(chat: ChatSummary, lang: Lang, nameOf: NameOf = () => undefined): string {
  const zh = lang === 'zh';
  // Ids (and names from the directory) as inline code: literal text, never a link or formatting.
  const lines: string[] = [`**${markdownCode(chatLabel(chat, nameOf))}**`, ''];
  if (chat.kind === 'group') lines.push(`${zh ? '群 ID' : 'Group id'}: ${markdownCode(chat.chatid ?? '')}`, `${zh ? '已见成员' : 'Members seen'}: ${chat.memberCount}`);
  else for (const p of chat.parties) lines.push(`${partyTypeLabel(p.type, lang)}: ${markdownCode(p.id)}`);
  lines.push(
    '',
    `${zh ? '消息数' : 'Messages'}: ${chat.count}`,
    `${zh ? '最早' : 'First'}: ${when(chat.firstTime, lang)}`,
    `${zh ? '最新' : 'Last'}: ${when(chat.lastTime, lang)}`,
    `${zh ? '公钥版本' : 'Key versions'}: ${chat.keyVersions.join(', ') || '—'}`,
    '',
    `${zh ? '按类型' : 'By msgtype'}:`,
  );
  const byType = Object.entries(chat.countsByType)
    .map(([t, n]) => [Number(t), n] as const)
    .sort((a, b) => b[1] - a[1]);
  for (const [t, n] of byType) lines.push(`- ${mdEscape(msgtypeLabel(t)[lang])} (${t}): ${n}`);
  return lines.join('  \n');
}
