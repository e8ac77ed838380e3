/**
 * Words a message in the user's language. The host passes `vscode.l10n.t`, webviews `@vscode/l10n`'s
 * `t`: the same signature over the same bundle (English keys, `{0}` placeholders), so code shared by
 * both words its text through this and never chooses a language itself.
 */
export type Translate = (message: string, ...args: Array<string | number>) => string;
