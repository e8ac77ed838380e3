/**
 * Where values sit in a JSON text that JSON.parse has already accepted: the span of an object
 * member's value, and the spans of an array's elements. The sync path uses them to keep each
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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function isSpace(c: number): boolean {
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
 * The value of member `key` of the object that starts at `from` (leading space allowed). When the
 * key appears twice, the last one, as JSON.parse keeps it.
 */
export function memberSpan(text: string, key: string, from = 0): Span | undefined {
  let i = skipSpace(text, from);
  if (text.charCodeAt(i) !== OPEN_OBJECT) return undefined;
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_OBJECT) return undefined;
  let found: Span | undefined;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = skipString(text, i);
    if (keyEnd < 0) return undefined;
    const name = text.slice(i + 1, keyEnd - 1);
    // An escaped key might decode to `key`; rather than decode, give up on the whole text.
    if (name.includes('\\')) return undefined;
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return undefined;
    const start = skipSpace(text, i + 1);
    const end = valueEnd(text, start);
    if (end < 0) return undefined;
    if (name === key) found = [start, end];
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === CLOSE_OBJECT) return found;
    if (c !== COMMA) return undefined;
    i = skipSpace(text, i + 1);
  }
}

/** The elements of the array at `span`. */
export function elementSpans(text: string, span: Span): Span[] | undefined {
  let i = span[0];
  if (text.charCodeAt(i) !== OPEN_ARRAY) return undefined;
  i = skipSpace(text, i + 1);
  const spans: Span[] = [];
  if (text.charCodeAt(i) === CLOSE_ARRAY) return spans;
  for (;;) {
    const end = valueEnd(text, i);
    if (end < 0) return undefined;
    spans.push([i, end]);
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === CLOSE_ARRAY) return i + 1 === span[1] ? spans : undefined;
    if (c !== COMMA) return undefined;
    i = skipSpace(text, i + 1);
  }
}
