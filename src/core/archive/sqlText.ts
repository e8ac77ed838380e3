/**
 * Reading TEXT that may hold U+0000. node:sqlite on Node 22 (the extension host's runtime) ends a
 * TEXT value it reads at its first NUL, though SQLite stores and compares all of it. An id with a
 * NUL would then come back as another id: a different chat key, a cursor that no longer matches, a
 * msgid that looks like a collision. So columns of ids and cursors are read as their UTF-8 bytes.
 */
const utf8 = new TextDecoder();

/** `column` read as bytes, under the name `alias` (default: the column's own name). */
export function bytesOf(column: string, alias = column.slice(column.lastIndexOf('.') + 1)): string {
  return `CAST(${column} AS BLOB) AS ${alias}`;
}

/** The text of a column read with bytesOf. */
export function textOf(value: Uint8Array): string;
export function textOf(value: Uint8Array | null): string | null;
export function textOf(value: Uint8Array | null): string | null {
  return value === null ? null : utf8.decode(value);
}
