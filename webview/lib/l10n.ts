// The webview's one i18n path, the same as the host's: English source strings are the keys, and
// the host's l10n bundle (vscode.l10n.bundle, undefined in English) arrives with `init`.
import * as l10n from '@vscode/l10n';
import type { Translate } from '../../src/shared/l10n';
import type { L10nBundle, Lang } from '../../src/shared/protocol';

/** A string in the user's language with `{0}`, `{1}` … filled in (the result only ever goes to textContent). */
export const t: Translate = l10n.t;

/** Loads the host's bundle (shared code is worded through `t` too: msgtype labels, rule sentences); must run before anything is rendered. */
export function configureL10n(bundle: L10nBundle | undefined, language: Lang): void {
  // An empty bundle, not none: a panel that was Chinese and is re-initialized in English must switch back.
  l10n.config({ contents: bundle && typeof bundle === 'object' ? bundle : {} });
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
}
