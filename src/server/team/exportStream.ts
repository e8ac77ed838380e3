/**
 * GET /v1/export: a whole chat as CSV or JSON, streamed page by page (a chat may hold millions of
 * messages; the service never holds it whole) with backpressure, in the same format as the
 * extension's exports (src/shared/exportRows.ts). The msgtype label column is in English.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Archive } from '../../core/archive/archive';
import { toRow } from '../../core/archive/messageRows';
import { CSV_START, csvLine, type ExportItem, JsonExport } from '../../shared/exportRows';
import { english } from '../../shared/text';

export type ExportFormat = 'csv' | 'json';

const PAGE = 1000;

export async function streamExport(res: ServerResponse, archive: Archive, chatKey: string, format: ExportFormat): Promise<number> {
  res.writeHead(200, {
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    'content-disposition': `attachment; filename="wecom-chat.${format}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  const json = new JsonExport();
  const piece = (item: ExportItem): string => (format === 'csv' ? csvLine(item, english) : json.item(item));
  const write = async (text: string): Promise<void> => {
    if (!res.write(text)) await once(res, 'drain');
  };
  let written = 0;
  if (format === 'csv') await write(CSV_START);
  let from: { sendTime: number; msgid: string } | undefined;
  for (;;) {
    // The reader went away: stop reading the archive for nobody.
    if (res.destroyed) return written;
    const page = await archive.pageMessages({ chatKey, direction: 'newer', limit: PAGE, ...(from ? { from } : {}) });
    if (page.length > 0) await write(page.map((m) => piece({ msgid: m.msgid, row: toRow(m, undefined, Number.POSITIVE_INFINITY) })).join(''));
    written += page.length;
    const last = page[page.length - 1];
    if (!last || page.length < PAGE) break;
    from = { sendTime: last.sendTime, msgid: last.msgid };
  }
  res.end(format === 'json' ? json.end() : '');
  return written;
}
