// Packages the test-only probe extension (test/vscode/probe) into a .vsix, offline, with vsce.
import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { freshDir, repoRoot } from './paths';

export function packageProbe(): string {
  const dir = freshDir('probe');
  cpSync(join(repoRoot, 'test', 'vscode', 'probe'), join(dir, 'src'), { recursive: true });
  const out = join(dir, 'exports-probe.vsix');
  execFileSync(process.execPath, [join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out], {
    cwd: join(dir, 'src'),
    stdio: 'pipe',
    timeout: 60_000,
  });
  return out;
}
