// The webviews say everything through @vscode/l10n's t() with English source strings, so the host's
// zh-cn bundle must hold each one: a string missing there would show in English to Chinese users.
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../harness/paths';

const bundleZh = JSON.parse(readFileSync(join(repoRoot, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const files = sourceFiles(join(repoRoot, 'webview')).map((f) => ({ name: relative(repoRoot, f), text: readFileSync(f, 'utf8') }));

describe('webview strings', () => {
  it('every t() call passes a literal English string (so this test sees them all)', () => {
    const dynamic: string[] = [];
    for (const f of files) {
      for (const m of f.text.matchAll(/(?<![\w.])t\(\s*([^)\s]?)/g)) if (m[1] !== "'") dynamic.push(`${f.name}: ${m[0]}`);
    }
    assert.deepEqual(dynamic, []);
  });

  it('every t() string in the webviews has a zh-cn translation', () => {
    const literals = new Set<string>();
    for (const f of files) for (const m of f.text.matchAll(/(?<![\w.])t\(\s*'((?:[^'\\]|\\.)*)'/g)) literals.add((m[1] ?? '').replace(/\\'/g, "'"));
    assert.ok(literals.size >= 80, `found only ${literals.size} strings`);
    const missing = [...literals].filter((s) => !bundleZh[s]);
    assert.deepEqual(missing, [], 'webview strings without a zh-cn translation');
  });

  it('has no string table or { zh, en } pair of its own', () => {
    const own = files.filter((f) => /EN_STRINGS|\bzh\s*:/.test(f.text)).map((f) => f.name);
    assert.deepEqual(own, []);
  });
});
