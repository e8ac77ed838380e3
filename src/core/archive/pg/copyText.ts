/**
 * Fields of PostgreSQL's `COPY … FROM STDIN` text format (the default): one line per row, fields
 * separated by tabs, `\N` for NULL. In a field only backslash, tab, newline and carriage return
 * need escaping; every other character, control characters included, is taken as it is. So a
 * page goes to the server as one plain string, with none of the quoting of array literals.
 *
 * Text must already be what PostgreSQL accepts (no NUL, no lone surrogate): pass it through
 * toPgText (text.ts) first, as for any other parameter.
 */

export const COPY_NULL = '\\N';

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A text field. */
export function copyText(s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : s;
}

/** A bytea field: bytea's hex input form, its backslash escaped for COPY. */
export function copyBytea(b: Buffer): string {
  return `\\\\x${b.toString('hex')}`;
}

/** An integer or float8 field: every JS number exactly (shortest round-trip digits; NaN, ±Infinity and -0 by name). */
export function copyNumber(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}
