// The manifest and the translations agree: every %key% has an English and a Chinese string, every
// vscode.l10n.t() literal and every phrase() of the core has a Chinese translation, and ids follow the naming rules.
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../harness/paths';

const readJson = (p: string): Record<string, unknown> => JSON.parse(readFileSync(join(repoRoot, p), 'utf8'));
const pkg = readJson('package.json') as { contributes: { commands: { command: string; title: string; category: string }[]; configuration: { properties: Record<string, unknown> } }; activationEvents: string[]; engines: { vscode: string }; name: string };
const nlsEn = readJson('package.nls.json') as Record<string, string>;
const nlsZh = readJson('package.nls.zh-cn.json') as Record<string, string>;
const bundleZh = readJson('l10n/bundle.l10n.zh-cn.json') as Record<string, string>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('manifest and translations', () => {
  it('names, engine and activation follow the design', () => {
    assert.equal(pkg.name, 'wecom-chat-archive');
    assert.equal(pkg.engines.vscode, '^1.101.0');
    assert.ok(!pkg.activationEvents.includes('*'));
  });

  it('every %key% in package.json has English and Chinese text, and the two files have the same keys', () => {
    const keys = [...readFileSync(join(repoRoot, 'package.json'), 'utf8').matchAll(/"%([^%"]+)%"/g)].map((m) => m[1] ?? '');
    assert.ok(keys.length > 5);
    for (const k of keys) {
      assert.ok(nlsEn[k], `package.nls.json lacks ${k}`);
      assert.ok(nlsZh[k], `package.nls.zh-cn.json lacks ${k}`);
    }
    assert.deepEqual(Object.keys(nlsZh).sort(), Object.keys(nlsEn).sort());
  });

  it('commands and settings use the wecomArchive namespace and the shared category', () => {
    for (const c of pkg.contributes.commands) {
      assert.match(c.command, /^wecomArchive\.[a-zA-Z]+$/);
      assert.equal(c.category, '%category%');
    }
    for (const k of Object.keys(pkg.contributes.configuration.properties)) assert.match(k, /^wecomArchive\./);
  });

  it('a workspace cannot set what leaves the machine or what is stored: those settings are application/machine scoped', () => {
    const props = pkg.contributes.configuration.properties as Record<string, { scope?: string }>;
    const guarded = ['wecomArchive.apiBaseUrl', 'wecomArchive.viewer.includeSecretKey', 'wecomArchive.sync.limit', 'wecomArchive.autoSyncMinutes', ...Object.keys(props).filter((k) => k.startsWith('wecomArchive.demo.'))];
    assert.ok(guarded.length >= 7);
    for (const k of guarded) assert.ok(props[k]?.scope === 'application' || props[k]?.scope === 'machine', `${k} has scope ${props[k]?.scope ?? '(window)'}`);
  });

  it('every vscode.l10n.t() string in the host has a zh-cn translation', () => {
    const literals = new Set<string>();
    for (const f of sourceFiles(join(repoRoot, 'src'))) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\bl10n\.t\(\s*'((?:[^'\\]|\\.)*)'/g)) literals.add((m[1] ?? '').replace(/\\'/g, "'"));
      for (const m of text.matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)) literals.add((m[1] ?? '').replace(/\\'/g, "'"));
      // Phrases of the core and the shared rules: worded later, by whoever shows them, from the same bundle.
      for (const m of text.matchAll(/\bphrase\(\s*'((?:[^'\\]|\\.)*)'/g)) literals.add((m[1] ?? '').replace(/\\'/g, "'"));
    }
    assert.ok(literals.size > 0);
    const missing = [...literals].filter((s) => !(s in bundleZh));
    assert.deepEqual(missing, [], 'strings without a zh-cn translation');
  });
});
