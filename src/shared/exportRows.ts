// Export of message rows (a chat, or search hits) as JSON or CSV. Pure. Values stay exactly as
// stored: ids byte for byte, send_time as the number the API sent (send_time_iso is empty when no
// date can hold it, e.g. 1e300). Receivers are two JSON arrays (types, ids) so ids with spaces,
// commas or quotes split back exactly: JSON.parse of the cell after CSV unquoting.
import type { MessageRow } from './protocol';
import { isoTime } from './visibleText';
import { msgtypeLabel } from './msgtypes';
import type { Translate } from './l10n';

export const CSV_HEADER = ['msgid', 'send_time', 'send_time_iso', 'msgtype', 'msgtype_label', 'sender_type', 'sender_id', 'receiver_types', 'receiver_ids', 'receiver_count', 'chatid', 'chat_key', 'public_key_ver', 'call_duration', 'in_archive'];

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

/** A BOM so spreadsheet programs read the Chinese labels as UTF-8, then the header line. */
export const CSV_START = `\uFEFF${CSV_HEADER.join(',')}\r\n`;

/** One item's CSV line (with its line end); `t` words the msgtype label, the only column in the reader's language. */
export function csvLine({ msgid, row }: ExportItem, t: Translate): string {
  const fields = row
    ? [
        row.msgid,
        row.sendTime,
        isoTime(row.sendTime),
        row.msgtype,
        msgtypeLabel(row.msgtype, t),
        row.sender.type,
        row.sender.id,
        JSON.stringify(row.receivers.map((r) => r.type)),
        JSON.stringify(row.receivers.map((r) => r.id)),
        row.receiverCount,
        row.chatid,
        row.chatKey,
        row.publicKeyVer,
        row.callDuration,
        'yes',
      ]
    : [msgid, ...CSV_HEADER.slice(2).map(() => undefined), 'no'];
  return `${fields.map(csvField).join(',')}\r\n`;
}

export function toCsv(items: readonly ExportItem[], t: Translate): string {
  return CSV_START + items.map((item) => csvLine(item, t)).join('');
}

/**
 * A JSON export written piece by piece (the archive service streams a whole chat): `item` gives
 * each element's text, `end` the closing bracket. The pieces together are the array's
 * `JSON.stringify(…, null, 2)`.
 */
export class JsonExport {
  private count = 0;

  item({ msgid, row }: ExportItem): string {
    const value = row ? { ...row, inArchive: true } : { msgid, inArchive: false };
    return `${this.count++ === 0 ? '[\n' : ',\n'}  ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}`;
  }

  end(): string {
    return this.count === 0 ? '[]\n' : '\n]\n';
  }
}

export function toJson(items: readonly ExportItem[]): string {
  const out = new JsonExport();
  return items.map((item) => out.item(item)).join('') + out.end();
}
