import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root: the nearest folder up from this bundle whose package.json is ours. */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'wecom-chat-archive') return dir;
    if (dirname(dir) === dir) throw new Error(`no wecom-chat-archive package.json above ${from}`);
  }
}

export const repoRoot = findRepoRoot(__dirname);
/** Git-ignored: screenshots, logs and per-run state of code-server and Chromium. */
export const artifactsDir = join(repoRoot, '.test-artifacts');
export const screenshotsDir = join(artifactsDir, 'screenshots');

export function freshDir(prefix: string): string {
  const base = join(artifactsDir, 'tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `${prefix}-`));
}

export function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests through \`npm test\` (scripts/test.sh), which installs the tools.`);
  return v;
}
