// What the virtual list shows for a window of rows: messages, day separators, gap bands and
// "loading" markers at ends that are not the chat's, each with its fixed height. Pure.
import type { GapBand, MessageRow } from '../../src/shared/protocol';
import { localDayKey } from '../lib/format';
import { SYSTEM_MSGTYPES } from '../lib/msgtypeStyle';

export const HEIGHT = { msg: 52, system: 34, day: 28, gap: 44, more: 28 } as const;

export type Item =
  | { kind: 'msg'; key: string; height: number; row: MessageRow }
  | { kind: 'day'; key: string; height: number; day: string }
  | { kind: 'gap'; key: string; height: number; gap: GapBand }
  | { kind: 'more'; key: string; height: number };

export type MsgItem = Extract<Item, { kind: 'msg' }>;

export const msgKey = (msgid: string): string => `m:${msgid}`;

function gapItem(gap: GapBand): Item {
  return { kind: 'gap', key: `gap:${gap.from}:${gap.to}`, height: HEIGHT.gap, gap };
}

export function buildItems(window: { rows: readonly MessageRow[]; atStart: boolean; atEnd: boolean }, gapBands: readonly GapBand[]): Item[] {
  const items: Item[] = [];
  const gaps = [...gapBands].sort((a, b) => a.from - b.from);
  let g = 0;
  const { rows, atStart, atEnd } = window;
  if (!atStart && rows.length > 0) items.push({ kind: 'more', key: 'more:top', height: HEIGHT.more });
  const first = rows[0];
  // Gaps that lie before the first row belong to the window only when it starts at the chat's start.
  while (g < gaps.length && first && gaps[g]!.from < first.sendTime) {
    if (atStart) items.push(gapItem(gaps[g]!));
    g++;
  }
  let prevDay = '';
  for (const row of rows) {
    while (g < gaps.length && gaps[g]!.from < row.sendTime) items.push(gapItem(gaps[g++]!));
    const day = localDayKey(row.sendTime);
    if (day !== prevDay) {
      items.push({ kind: 'day', key: `d:${day}:${row.msgid}`, height: HEIGHT.day, day });
      prevDay = day;
    }
    items.push({ kind: 'msg', key: msgKey(row.msgid), height: SYSTEM_MSGTYPES.has(row.msgtype) ? HEIGHT.system : HEIGHT.msg, row });
  }
  if (atEnd) while (g < gaps.length) items.push(gapItem(gaps[g++]!));
  else if (rows.length > 0) items.push({ kind: 'more', key: 'more:bottom', height: HEIGHT.more });
  return items;
}
