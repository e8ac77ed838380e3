// Labels, descriptions and tooltips of chats, in the user's language. Pure, so the tree model is
// tested in Node and the chat QuickPick shows exactly the same labels.
import type { ChatSummary } from '../../core/archive/types';
import { groupChatId } from '../../core/archive/chatKey';
import { markdownCode, timeMs, visibleText } from '../../shared/visibleText';
import { msgtypeLabel } from '../../shared/msgtypes';
import type { Translate } from '../../shared/l10n';
import { PARTY_EMPLOYEE, PARTY_EXTERNAL, PARTY_ROBOT } from '../../shared/wire';

export type NameOf = (id: string) => string | undefined;

export function partyTypeLabel(type: number, t: Translate): string {
  if (type === PARTY_EMPLOYEE) return t('employee');
  if (type === PARTY_EXTERNAL) return t('external');
  if (type === PARTY_ROBOT) return t('robot');
  return t('type {0}', type);
}

/** The codicon of a party type. */
export function partyIcon(type: number): string {
  return type === PARTY_EXTERNAL ? 'account' : type === PARTY_ROBOT ? 'hubot' : 'person';
}

function party(id: string, nameOf: NameOf): string {
  const name = nameOf(id);
  return name ? `${visibleText(name)} (${visibleText(id)})` : visibleText(id);
}

/** The chat's name for people: ids and names with bidi and control characters made visible. */
export function chatLabel(chat: ChatSummary, nameOf: NameOf = () => undefined): string {
  if (chat.kind === 'group') {
    const id = groupChatId(chat) ?? '';
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
  return partyIcon(types.includes(PARTY_EXTERNAL) ? PARTY_EXTERNAL : types.includes(PARTY_ROBOT) ? PARTY_ROBOT : PARTY_EMPLOYEE);
}

/** "invalid time 1e+300": a send_time no date can show, named exactly as it came. */
export function invalidTime(seconds: number, t: Translate): string {
  return t('invalid time {0}', String(seconds));
}

export function relativeTime(seconds: number, nowMs: number, t: Translate): string {
  if (timeMs(seconds) === undefined) return invalidTime(seconds, t);
  const d = Math.max(0, Math.round(nowMs / 1000 - seconds));
  if (d < 60) return t('just now');
  if (d < 3600) return t('{0}m ago', Math.floor(d / 60));
  if (d < 86400) return t('{0}h ago', Math.floor(d / 3600));
  return t('{0}d ago', Math.floor(d / 86400));
}

/** Grouped digits; zh-CN and en-US group alike, so one locale serves both languages. */
const count = (n: number): string => n.toLocaleString('en-US');

export function chatDescription(chat: ChatSummary, nowMs: number, t: Translate, newCount = 0): string {
  const parts = [chat.count === 1 ? t('{0} msg', count(chat.count)) : t('{0} msgs', count(chat.count)), relativeTime(chat.lastTime, nowMs, t)];
  if (chat.kind === 'group') parts.splice(1, 0, chat.memberCount === 1 ? t('{0} member', count(chat.memberCount)) : t('{0} members', count(chat.memberCount)));
  else parts.splice(1, 0, chat.parties.map((p) => partyTypeLabel(p.type, t)).join(' ↔ '));
  if (newCount > 0) parts.unshift(t('+{0} new', newCount));
  return parts.join(' · ');
}

const when = (s: number, t: Translate) => {
  const ms = timeMs(s);
  return ms === undefined ? invalidTime(s, t) : new Date(ms).toLocaleString();
};
/** Escapes Markdown in text of our own making (profile names); ids go in as code (markdownCode). */
export const mdEscape = (s: string): string => visibleText(s).replace(/[\\`*_{}[\]()#+\-.!|<>~:@/&]/g, (c) => `\\${c}`);

export function chatTooltipMarkdown(chat: ChatSummary, t: Translate, nameOf: NameOf = () => undefined): string {
  // Ids (and names from the directory) as inline code: literal text, never a link or formatting.
  const lines: string[] = [`**${markdownCode(chatLabel(chat, nameOf))}**`, ''];
  if (chat.kind === 'group') lines.push(`${t('Group id')}: ${markdownCode(chat.chatid ?? '')}`, `${t('Members seen')}: ${chat.memberCount}`);
  else for (const p of chat.parties) lines.push(`${partyTypeLabel(p.type, t)}: ${markdownCode(p.id)}`);
  lines.push(
    '',
    `${t('Messages')}: ${chat.count}`,
    `${t('First')}: ${when(chat.firstTime, t)}`,
    `${t('Last')}: ${when(chat.lastTime, t)}`,
    `${t('Key versions')}: ${chat.keyVersions.join(', ') || '—'}`,
    '',
    `${t('By msgtype')}:`,
  );
  const byType = Object.entries(chat.countsByType)
    .map(([type, n]) => [Number(type), n] as const)
    .sort((a, b) => b[1] - a[1]);
  for (const [type, n] of byType) lines.push(`- ${mdEscape(msgtypeLabel(type, t))} (${type}): ${n}`);
  return lines.join('  \n');
}
