/**
 * How any JavaScript string is kept byte-exact in PostgreSQL `text`. PostgreSQL refuses U+0000 in
 * text, and the driver sends strings as UTF-8, where a lone surrogate (hostile ids have them)
 * would silently become U+FFFD. Both are written as an escape instead, led by U+FFFF (a
 * noncharacter PostgreSQL accepts, never sent by WeCom), which is itself escaped:
 *   U+0000 → U+FFFF '0'    lone surrogate XXXX → U+FFFF 'u' XXXX (4 hex)    U+FFFF → U+FFFF 'e'
 * The rule is injective, so equality and uniqueness on the stored text are those of the string;
 * ordinary strings (all of WeCom's) pass through untouched, after one regex test.
 */
const ESC = '\uffff';
/** NUL, the escape itself, and surrogates that are not half of a pair (code units, no `u` flag). */
const SPECIAL = /[\0\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const SPECIAL_ALL = new RegExp(SPECIAL.source, 'g');
const ESCAPED = /\uffff(?:0|e|u([0-9a-f]{4}))/g;

/** The string as stored. */
export function toPgText(s: string): string {
  if (!SPECIAL.test(s)) return s;
  return s.replace(SPECIAL_ALL, (c) => {
    if (c === '\0') return `${ESC}0`;
    if (c === ESC) return `${ESC}e`;
    return `${ESC}u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** The string a stored text stands for. */
export function fromPgText(s: string): string {
  if (!s.includes(ESC)) return s;
  return s.replace(ESCAPED, (m, hex: string | undefined) => {
    if (m[1] === '0') return '\0';
    if (m[1] === 'e') return ESC;
    return String.fromCharCode(Number.parseInt(hex!, 16));
  });
}
