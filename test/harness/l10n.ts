// The Chinese bundle as a Translate, for unit tests of code worded through one: what the host shows a
// zh-cn user, without VS Code (vscode.l10n.t looks the key up the same way and fills {0} alike).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Translate } from '../../src/shared/l10n';
import { english } from '../../src/shared/text';
import { repoRoot } from './paths';

const bundle = JSON.parse(readFileSync(join(repoRoot, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;

/** Throws on a key the bundle lacks: a test worded in Chinese proves the translation exists. */
export const chinese: Translate = (message, ...args) => {
  const template = bundle[message];
  if (template === undefined) throw new Error(`l10n/bundle.l10n.zh-cn.json has no translation of ${JSON.stringify(message)}`);
  return english(template, ...args);
};
