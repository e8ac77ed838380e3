// Runs the test tiers on the Node that scripts/test.sh put first on PATH (Node 22), prints the
// count per tier, and ends with one line "N passed, N failed[, N skipped]". Exit 1 on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres } from './postgres.mjs';

const TIERS = {
  unit: { dir: 'out/test/unit', label: 'tier 1 · unit (node --test)' },
  webview: { dir: 'out/test/webview', label: 'tier 2 · webview in Chromium' },
  service: { dir: 'out/test/service', label: 'service tier · archive service on PostgreSQL', postgres: true },
  vscode: { dir: 'out/test/vscode', label: 'tier 3 · real VS Code (code-server)' },
};
const asked = process.argv[2] ?? 'all';
const names = asked === 'all' ? Object.keys(TIERS) : [asked];
mkdirSync('out/results', { recursive: true });
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(130)); // 'exit' stops the cluster

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'suite' ? [] : testFiles(p); // suite/ runs inside VS Code
    return p.endsWith('.test.js') ? [p] : [];
  });
}

const total = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
for (const name of names) {
  const tier = TIERS[name];
  if (!tier) throw new Error(`unknown tier ${name}; use unit, webview, service, vscode or all`);
  const files = testFiles(tier.dir).sort();
  const resultFile = `out/results/${name}.json`;
  console.log(`\n=== ${tier.label}: ${files.length} file(s) ===`);
  const t0 = Date.now();
  // A throwaway cluster for the tier, stopped however the tests end (also at exit, by a signal).
  const pg = tier.postgres ? await startPostgres() : undefined;
  const env = pg ? { ...process.env, WECOM_PG_URL: pg.url } : process.env;
  const r = spawnSync(process.execPath, [
    '--enable-source-maps', '--test', '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/count-reporter.mjs', `--test-reporter-destination=${resultFile}`,
    ...files,
  ], { stdio: 'inherit', env });
  pg?.stop();
  const counts = existsSync(resultFile) ? JSON.parse(readFileSync(resultFile, 'utf8')) : { passed: 0, failed: 0, skipped: 0 };
  // A runner that failed without a failing test (a crash, a load error) still fails the tier.
  if (r.status !== 0 && counts.failed === 0) counts.failed = 1;
  if (files.length === 0) counts.failed += 1;
  for (const k of Object.keys(total)) total[k] += counts[k];
  lines.push(`${tier.label}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
console.log('\n=== summary ===');
for (const l of lines) console.log(l);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(total.failed > 0 ? 1 : 0);
