// Text from the API shown to a person: ids and names may hold bidi controls (U+202E turns
// `wo‮gpj.exe` into "woexe.jpg"), control characters (empty boxes, line breaks) and invisible
// characters (two ids that look the same). One helper makes each of them a visible marker such as
// `⟨U+202E⟩`, wherever an id is shown: tree, quick picks, tab titles, tooltips, webviews.
// Stored data, exports, clipboard and requests keep the exact text. No Node, no vscode.

/**
 * C0/C1 controls and DEL; bidi embeddings, overrides, isolates and marks; zero-width and other
 * invisible format characters; line and paragraph separators; lone surrogates. The markers are
 * plain text, so applying the helper twice changes nothing.
 */
const NEUTRALISE = /[\p{Cc}\p{Cs}\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u2028-\u202E\u2060-\u206F\u3164\uFEFF\uFFF9-\uFFFB]/gu;

export function markerOf(ch: string): string {
  return `⟨U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** The text with every bidi, control and invisible character replaced by a visible `⟨U+XXXX⟩`. */
export function visibleText(s: string): string {
  return s.replace(NEUTRALISE, markerOf);
}

/** Whether a string holds any character visibleText would replace. */
export function hasHiddenCharacters(s: string): boolean {
  NEUTRALISE.lastIndex = 0;
  const found = NEUTRALISE.test(s);
  NEUTRALISE.lastIndex = 0;
  return found;
}

/**
 * An id as Markdown inline code: shown literally, never a link, emphasis or HTML. The fence is one
 * backtick longer than the longest run inside, with spaces so a leading or trailing backtick stays
 * inside (CommonMark strips exactly one space on each side).
 */
export function markdownCode(s: string): string {
  const text = visibleText(s);
  if (text === '') return '';
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${text} ${fence}`;
}

/** A time in Unix seconds as Date milliseconds, or undefined when no Date can represent it. */
export function timeMs(unixSeconds: number): number | undefined {
  if (typeof unixSeconds !== 'number' || !Number.isFinite(unixSeconds)) return undefined;
  const ms = unixSeconds * 1000;
  return Number.isNaN(new Date(ms).getTime()) ? undefined : ms;
}

/** The ISO form of a send_time, or undefined when it is no representable time (1e300, 2^53). */
export function isoTime(unixSeconds: number): string | undefined {
  const ms = timeMs(unixSeconds);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
