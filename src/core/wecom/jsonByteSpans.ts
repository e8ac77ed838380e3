/**
 * jsonSpans.ts on the reply's bytes (UTF-8) instead of its decoded text: the sync path splits a
 * sync_msg reply into its messages before decoding it, because decoding a page whole makes one
 * string of about a megabyte, and a string that large costs ~2 ms per page to allocate (V8 maps
 * fresh memory for each), more than reading the page. Splitting only at ASCII structure never cuts
 * a multi-byte character, so each piece decodes to the same text as the same span of the whole.
 *
 * Same rules as jsonSpans: anything unexpected (a key written with escapes, a member found twice,
 * bytes that are not such JSON) gives undefined, and the caller decodes the reply whole. The
 * scanning functions are jsonSpans' own, rewritten for bytes rather than shared through an
 * accessor, which would put a call per character on the path every byte of every page takes.
 */
import {
  BACKSLASH,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
  COMMA,
  isSpace,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
  type Span,
} from './jsonSpans';

function skipSpace(bytes: Buffer, i: number): number {
  while (i < bytes.length && isSpace(bytes[i])) i++;
  return i;
}

/** `i` at an opening quote → just past the closing quote, or -1. */
function skipString(bytes: Buffer, i: number): number {
  let from = i + 1;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    let slashes = 0;
    while (bytes[quote - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** `i` at the first byte of a value → just past it, or -1. */
function valueEnd(bytes: Buffer, i: number): number {
  const first = bytes[i];
  if (first === QUOTE) return skipString(bytes, i);
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0;
    let j = i;
    while (j < bytes.length) {
      const c = bytes[j];
      if (c === QUOTE) {
        j = skipString(bytes, j);
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
  while (j < bytes.length) {
    const c = bytes[j];
    if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || isSpace(c)) break;
    j++;
  }
  return j > i ? j : -1;
}

/** The elements of the array that starts at `start`, and where the array ends. */
function walkElements(bytes: Buffer, start: number): { spans: Span[]; end: number } | undefined {
  let i = start;
  if (bytes[i] !== OPEN_ARRAY) return undefined;
  i = skipSpace(bytes, i + 1);
  const spans: Span[] = [];
  if (bytes[i] === CLOSE_ARRAY) return { spans, end: i + 1 };
  for (;;) {
    const end = valueEnd(bytes, i);
    if (end < 0) return undefined;
    spans.push([i, end]);
    i = skipSpace(bytes, end);
    const c = bytes[i];
    if (c === CLOSE_ARRAY) return { spans, end: i + 1 };
    if (c !== COMMA) return undefined;
    i = skipSpace(bytes, i + 1);
  }
}

/** Where the array member `key` of the top-level object sits, and the spans of its elements. */
export interface MemberArray {
  /** [start, end) of the array itself, brackets included. */
  readonly array: Span;
  readonly elements: Span[];
}

/**
 * The array that is member `key` (ASCII) of the object at the start of `bytes` (leading space
 * allowed), and its elements, in one pass. Undefined when the member is missing, found twice, no
 * array, or a key is written with escapes.
 */
export function memberArrayOf(bytes: Buffer, key: string): MemberArray | undefined {
  const name = Buffer.from(key, 'latin1');
  let found: MemberArray | undefined;
  let twice = false;
  let i = skipSpace(bytes, 0);
  if (bytes[i] !== OPEN_OBJECT) return undefined;
  i = skipSpace(bytes, i + 1);
  if (bytes[i] === CLOSE_OBJECT) return undefined;
  for (;;) {
    if (bytes[i] !== QUOTE) return undefined;
    const keyEnd = skipString(bytes, i);
    if (keyEnd < 0) return undefined;
    for (let k = i + 1; k < keyEnd - 1; k++) if (bytes[k] === BACKSLASH) return undefined;
    const isKey = keyEnd - i - 2 === name.length && bytes.compare(name, 0, name.length, i + 1, keyEnd - 1) === 0;
    i = skipSpace(bytes, keyEnd);
    if (bytes[i] !== COLON) return undefined;
    const start = skipSpace(bytes, i + 1);
    let end: number;
    if (isKey) {
      if (found) twice = true;
      const walked = walkElements(bytes, start);
      if (!walked) return undefined;
      found = { array: [start, walked.end], elements: walked.spans };
      end = walked.end;
    } else {
      end = valueEnd(bytes, start);
    }
    if (end < 0) return undefined;
    i = skipSpace(bytes, end);
    const c = bytes[i];
    if (c === CLOSE_OBJECT) return twice ? undefined : found;
    if (c !== COMMA) return undefined;
    i = skipSpace(bytes, i + 1);
  }
}
