/**
 * Where values sit in a JSON text that JSON.parse has already accepted: where a value ends, how
 * deeply a position is nested, and the spans of the elements of an object's array member. The
 * sync path uses them to keep each
 * message's text exactly as received instead of serializing the parsed object again, which was
 * the largest cost of storing a page.
 *
 * Strings are skipped with indexOf, so a scan costs little more than the structure between them.
 * Anything unexpected (a key written with escapes, text that is not JSON) gives undefined, and the
 * caller falls back to serializing.
 *
 * Pure module (no Node imports).
 */

/** [start, end) in the text. */
export type Span = readonly [start: number, end: number];

/** JSON's structural characters, as UTF-16 code units and as UTF-8 bytes alike (jsonByteSpans.ts). */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_OBJECT = 0x7b;
export const CLOSE_OBJECT = 0x7d;
export const OPEN_ARRAY = 0x5b;
export const CLOSE_ARRAY = 0x5d;

/** JSON whitespace. `undefined` (a byte past a buffer's end) and NaN (past a string's) are none. */
export function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** `i` at an opening quote → just past the closing quote, or -1. */
function skipString(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let slashes = 0;
    while (text.charCodeAt(quote - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** `i` at the first character of a value → just past it, or -1. */
export function valueEnd(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === QUOTE) return skipString(text, i);
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0;
    let j = i;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (c === QUOTE) {
        j = skipString(text, j);
        if (j < 0) return -1;
        continue;
      }
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
      else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return -1;
  }
  // A number, true, false or null: up to the next delimiter.
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || isSpace(c)) break;
    j++;
  }
  return j > i ? j : -1;
}

/**
 * How deeply `index` is nested in objects and arrays (1: a member of the outermost one), or -1
 * when it lies inside a string. Scans from the start, so it is cheap near the beginning.
 */
export function depthAt(text: string, index: number): number {
  let depth = 0;
  let i = 0;
  while (i < index) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = skipString(text, i);
      if (i < 0 || i > index) return -1;
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
    i++;
  }
  return depth;
}

/**
 * Walks the members of the object that starts at `from` (leading space allowed): `value` gets each
 * member's name and where its value starts, and answers where the value ends (-1 to give up).
 * False when the text is not such an object, or a key is written with escapes (it might decode to
 * any name; rather than decode, the caller gives up on the whole text).
 */
function walkMembers(text: string, from: number, value: (name: string, start: number) => number): boolean {
  let i = skipSpace(text, from);
  if (text.charCodeAt(i) !== OPEN_OBJECT) return false;
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_OBJECT) return true;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return false;
    const keyEnd = skipString(text, i);
    if (keyEnd < 0) return false;
    const name = text.slice(i + 1, keyEnd - 1);
    if (name.includes('\\')) return false;
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return false;
    const end = value(name, skipSpace(text, i + 1));
    if (end < 0) return false;
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === CLOSE_OBJECT) return true;
    if (c !== COMMA) return false;
    i = skipSpace(text, i + 1);
  }
}

/** The elements of the array that starts at `start`, and where the array ends. */
function walkElements(text: string, start: number): { spans: Span[]; end: number } | undefined {
  let i = start;
  if (text.charCodeAt(i) !== OPEN_ARRAY) return undefined;
  i = skipSpace(text, i + 1);
  const spans: Span[] = [];
  if (text.charCodeAt(i) === CLOSE_ARRAY) return { spans, end: i + 1 };
  for (;;) {
    const end = valueEnd(text, i);
    if (end < 0) return undefined;
    spans.push([i, end]);
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === CLOSE_ARRAY) return { spans, end: i + 1 };
    if (c !== COMMA) return undefined;
    i = skipSpace(text, i + 1);
  }
}

/**
 * The elements of the array that is member `key` of the object at `from` (leading space allowed),
 * in one pass over the text. When the key appears twice, the last one, as JSON.parse keeps it;
 * undefined when that member is no array.
 */
export function memberElementSpans(text: string, key: string, from = 0): Span[] | undefined {
  let found: Span[] | undefined;
  const ok = walkMembers(text, from, (name, start) => {
    if (name !== key) return valueEnd(text, start);
    const walked = walkElements(text, start);
    found = walked?.spans;
    return walked ? walked.end : valueEnd(text, start);
  });
  return ok ? found : undefined;
}
