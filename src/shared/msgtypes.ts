/**
 * Names of the `msgtype` numbers (seed 000, guide §4). Pure data so the webview can import it too.
 * WeCom adds types over time, so an unknown number is not an error: it gets a generic label.
 */
import type { Localized } from './text';

const MSGTYPE_LABELS: ReadonlyArray<readonly [number, string, string]> = [
  [0, '暂不支持的消息类型', 'Unsupported message'],
  [1, '文本', 'Text'],
  [2, '图片', 'Image'],
  [3, '表情', 'Sticker'],
  [4, '链接', 'Link'],
  [5, '小程序', 'Mini program'],
  [6, '语音', 'Voice'],
  [7, '视频', 'Video'],
  [8, '文件', 'File'],
  [9, '名片', 'Contact card'],
  [10, '转发消息', 'Forwarded chat record'],
  [11, '视频号', 'Channels'],
  [12, '日程', 'Calendar'],
  [13, '红包', 'Red packet'],
  [14, '地理位置', 'Location'],
  [15, '快速会议', 'Quick meeting'],
  [16, '待办', 'To-do'],
  [17, '投票', 'Vote'],
  [18, '在线文档', 'Online document'],
  [19, '图文消息', 'News'],
  [20, '图文混合消息', 'Mixed text and image'],
  [21, '音频存档', 'Audio archive'],
  [22, '音视频通话', 'Audio/video call'],
  [23, '微盘文件', 'WeDrive file'],
  [24, '同意会话存档', 'Consented to archiving'],
  [25, '拒绝会话存档', 'Refused archiving'],
  [26, '群接龙', 'Group chain'],
  [27, 'markdown', 'Markdown'],
  [28, '笔记', 'Note'],
];

const BY_NUMBER = new Map<number, Localized>(MSGTYPE_LABELS.map(([n, zh, en]) => [n, { zh, en }]));

/** Message types whose content search_msg can match (seed 003 permission list). */
export const SEARCHABLE_MSGTYPES: ReadonlySet<number> = new Set([1, 4, 5, 8, 18, 20, 23]);

/** Call-like types whose replies may carry `extra_info.call_duration`. */
export const CALL_MSGTYPES: ReadonlySet<number> = new Set([21, 22]);

export function isKnownMsgtype(msgtype: number): boolean {
  return BY_NUMBER.has(msgtype);
}

/** Label for any msgtype; unknown numbers still render, as "unknown type N" (guide §4). */
export function msgtypeLabel(msgtype: number): Localized {
  return BY_NUMBER.get(msgtype) ?? { zh: `未知类型 ${msgtype}`, en: `Unknown type ${msgtype}` };
}
