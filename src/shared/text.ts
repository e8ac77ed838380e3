/**
 * A sentence not worded yet: its English template (the l10n key, with `{0}` placeholders) and its
 * arguments. Code that knows the fact but not the reader (the core, the shared request rules) makes
 * a Phrase; whoever shows it words it with the reader's Translate. An error stored in the archive
 * is stored as a Phrase, so it reads in the language of whoever looks at it later.
 */
import type { Translate } from './l10n';

/** An argument is a value shown as it is, or a phrase of its own, worded in the same language. */
export type PhraseArg = string | number | Phrase;

export interface Phrase {
  readonly text: string;
  readonly args: readonly PhraseArg[];
}

/** The template must be a literal: the manifest test checks that the bundle translates each one. */
export function phrase(text: string, ...args: PhraseArg[]): Phrase {
  return { text, args };
}

export function word(p: Phrase, t: Translate): string {
  return t(p.text, ...p.args.map((a) => (typeof a === 'object' ? word(a, t) : a)));
}

/** The English wording (logs, `Error.message`): the template with its arguments filled in, as `vscode.l10n.t` does without a bundle. */
export const english: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (m, i: string) => {
    const v = args[Number(i)];
    return v === undefined ? m : String(v);
  });
