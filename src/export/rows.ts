// Export of message rows (a chat, or search hits) as JSON or CSV. Pure.
import type { MessageRow } from '../protocol';
import { msgtypeLabel } from '../wecom/msgtypes';

export const CSV_HEADER = ['msgid', 'send_time', 'send_time_iso', 'msgtype', 'msgtype_label', 'sender_type', 'sender_id', 'receivers', 'chatid', 'chat_key', 'public_key_ver', 'call_duration', 'in_archive'];

/** Quotes a CSV field; a leading = + - @ (or tab/CR) is neutralized so spreadsheets don't run it as a formula. */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s) && typeof value === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface ExportItem {
  msgid: string;
  row?: MessageRow;
}

export function toCsv(items: readonly ExportItem[], lang: 'zh' | 'en'): string {
  const lines = [CSV_HEADER.join(',')];
  for (const { msgid, row } of items) {
    const fields = row
      ? [
          row.msgid,
          row.sendTime,
          new Date(row.sendTime * 1000).toISOString(),
          row.msgtype,
          msgtypeLabel(row.msgtype)[lang],
          row.sender.type,
          row.sender.id,
          row.receivers.map((r) => `${r.type}:${r.id}`).join(' '),
          row.chatid,
          row.chatKey,
          row.publicKeyVer,
          row.callDuration,
          'yes',
        ]
      : [msgid, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, 'no'];
    lines.push(fields.map(csvField).join(','));
  }
  // A BOM so spreadsheet programs read the Chinese labels as UTF-8.
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export function toJson(items: readonly ExportItem[]): string {
  return `${JSON.stringify(
    items.map(({ msgid, row }) => (row ? { ...row, inArchive: true } : { msgid, inArchive: false })),
    null,
    2,
  )}\n`;
}
