// Tier 3a: runs the mocha suite (test/vscode/suite) inside code-server's real extension host,
// through the URL payload (extensionDevelopmentPath + extensionTestsPath), and reports each mocha
// test as a test here so the counts add up in one place.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { format } from 'node:util';
import type { SuiteResult } from './suite/index';
import { launchBrowser } from '../harness/browser';
import { type CodeServer, startCodeServer } from '../harness/codeServer';
import { freshDir, repoRoot } from '../harness/paths';

async function runSuite(server: CodeServer): Promise<{ exitCode: number | 'timeout'; log: string[] }> {
  const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(repoRoot)],
    ['extensionTestsPath', remote(join(repoRoot, 'out', 'test', 'vscode', 'suite', 'index.js'))],
    ['skipWelcome', 'true'],
  ]);
  const browser = await launchBrowser();
  const log: string[] = [];
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    let done: (code: number) => void = () => undefined;
    const exited = new Promise<number>((r) => (done = r));
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => log.push(format(...(args ?? []))));
    await page.exposeFunction('codeAutomationExit', (code: number) => done(code));
    await page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(payload)}`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 240_000)));
    const exitCode = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    return { exitCode, log };
  } finally {
    await browser.close();
  }
}

describe('integration suite in the real extension host (code-server)', async () => {
  const resultsFile = join(freshDir('suite-results'), 'results.json');
  let server: CodeServer | undefined;
  let outcome: { exitCode: number | 'timeout'; log: string[] } = { exitCode: 'timeout', log: [] };
  let results: SuiteResult[] = [];
  try {
    server = await startCodeServer({ smokeTestDriver: true, env: { WECOM_TEST_RESULTS: resultsFile } });
    outcome = await runSuite(server);
    if (existsSync(resultsFile)) results = JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResult[];
  } finally {
    await server?.stop();
  }

  it('the suite ran and exited', () => {
    assert.notEqual(outcome.exitCode, 'timeout', `no exit from the extension host; its log:\n${outcome.log.slice(-40).join('\n')}`);
    assert.ok(results.length > 0, `the suite reported no tests; exit ${outcome.exitCode}; log:\n${outcome.log.slice(-40).join('\n')}`);
  });
  for (const r of results) {
    it(r.title, { skip: r.state === 'pending' }, () => {
      if (r.state === 'failed') assert.fail(r.error ?? 'failed');
    });
  }
});
