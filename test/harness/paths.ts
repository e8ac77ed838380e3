import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (tests are built to out/test/..., sources live in test/...). */
export const repoRoot = resolve(__dirname, '..', '..', '..');
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
