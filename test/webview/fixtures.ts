import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InitMessage, MessageRow, SearchInit, StreamInit } from '../../src/shared/protocol';
import { emptySearchForm } from '../../src/shared/searchRequest';
import { repoRoot } from '../harness/paths';

/** The l10n bundle the host sends (vscode.l10n.bundle): the zh-cn file in Chinese, none in English. */
export function l10nBundle(lang: 'en' | 'zh'): Record<string, string> | undefined {
  return lang === 'zh' ? (JSON.parse(readFileSync(join(repoRoot, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>) : undefined;
}

export function searchInit(data: Partial<SearchInit> = {}, lang: 'en' | 'zh' = 'en'): InitMessage {
  return {
    kind: 'init',
    view: 'search',
    lang,
    ...(lang === 'zh' ? { l10n: l10nBundle(lang) } : {}),
    data: { profileName: 'Demo', form: emptySearchForm(), formVersion: 1, recent: [], autoRun: false, ...data },
  };
}

export function streamInit(data: Partial<StreamInit> = {}, lang: 'en' | 'zh' = 'en'): InitMessage {
  return {
    kind: 'init',
    view: 'stream',
    lang,
    ...(lang === 'zh' ? { l10n: l10nBundle(lang) } : {}),
    data: {
      profileId: 'demo',
      profileName: 'Demo',
      chatKey: 'group:wrChat',
      title: 'Project group',
      kind: 'group',
      parties: [],
      total: 0,
      chatTotal: data.total ?? 0,
      firstTime: 0,
      lastTime: 0,
      gaps: [],
      hasViewer: true,
      filter: {},
      ...data,
    },
  };
}

/** One row per msgtype 0–28 plus an unknown type, a minute apart. */
export function everyMsgtypeRows(base = 1_700_000_000): MessageRow[] {
  const types = [...Array.from({ length: 29 }, (_, i) => i), 99];
  return types.map((msgtype, i) => ({
    msgid: `type-${msgtype}`,
    sendTime: base + i * 60,
    msgtype,
    sender: { type: (i % 3) + 1, id: `wo-sender-${i}`, name: `Sender ${i}` },
    receivers: [{ type: 2, id: 'wm-ext-1', name: 'Customer' }],
    receiverCount: 1,
    chatKey: 'group:wrChat',
    chatid: 'wrChat',
    ...(msgtype === 21 || msgtype === 22 ? { callDuration: 3903 } : {}),
  }));
}

/** Strings that must show as text and never run. */
export const XSS_CORPUS: readonly string[] = [
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=2</script>',
  '"><svg onload="window.__xss=3">',
  "javascript:window.__xss=4",
  "'><iframe src=\"javascript:window.__xss=5\"></iframe>",
  '<a href="javascript:window.__xss=6">click</a>',
  '\u202Egnp.exe\u200B\u200D\uFEFF',
  '{{constructor.constructor("window.__xss=7")()}}',
  '<style>body{display:none}</style>',
  `${'x'.repeat(10_000)}<b>end</b>`,
];

export function xssRows(base = 1_700_000_000): MessageRow[] {
  return XSS_CORPUS.map((s, i) => ({
    msgid: `${s}#${i}`,
    sendTime: base + i * 60,
    msgtype: [1, 2, 21, 24, 8, 99, 4, 22, 25, 1][i] ?? 1,
    sender: { type: (i % 3) + 1, id: s, name: i % 2 ? s : undefined },
    receivers: [
      { type: 2, id: s, name: s },
      { type: 1, id: `${s}-2` },
    ],
    receiverCount: 30,
    chatKey: s,
    chatid: s,
    callDuration: 65,
  }));
}
