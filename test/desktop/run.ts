// npm run test:desktop: the same mocha suite as tier 3a (test/vscode/suite), in desktop VS Code via
// @vscode/test-electron. It uses WECOM_VSCODE_EXECUTABLE when set (a VS Code ≥ 1.101 already on the
// machine), otherwise downloads the stable build, which needs the network.
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { freshDir, repoRoot } from '../harness/paths';

async function main(): Promise<void> {
  const executable = process.env.WECOM_VSCODE_EXECUTABLE;
  const resultsFile = join(freshDir('desktop-results'), 'results.json');
  try {
    const code = await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: join(repoRoot, 'out', 'test', 'vscode', 'suite', 'index.js'),
      ...(executable ? { vscodeExecutablePath: executable } : { version: 'stable' }),
      launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--user-data-dir', freshDir('desktop-user-data')],
      extensionTestsEnv: { WECOM_TEST_RESULTS: resultsFile },
    });
    console.log(`desktop integration suite: exit ${code}; results in ${resultsFile}`);
    process.exit(code);
  } catch (e) {
    console.error(`The desktop suite could not run: ${e instanceof Error ? e.message : String(e)}`);
    if (!executable) console.error('No desktop VS Code could be downloaded. Set WECOM_VSCODE_EXECUTABLE to a local VS Code (≥ 1.101) and run again; `npm run test:vscode` runs the same suite in code-server offline.');
    process.exit(1);
  }
}

void main();
