// Builds the extension host bundle (Node, CommonJS, `vscode` external), the webview bundles
// (browser, IIFE), the simulator CLI, the archive service (dist/server.js), and — with --tests — every test file for the three tiers.
// Flags: --watch, --production (minify, no sourcemaps), --tests.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

/**
 * undici modules the extension never runs, left out of its bundle (140 KB): llhttp's SIMD build
 * (undici loads it in a try and falls back to the portable build it also ships, so HTTP parsing is
 * the same) and the SOCKS5 agent (proxy settings take http: and https: only; proxy.ts refuses the rest).
 */
const leaveOutOfHost = {
  name: 'leave-out-of-host',
  setup(build) {
    build.onResolve({ filter: /[\\/]llhttp_simd-wasm\.js$|[\\/]socks5-proxy-agent(\.js)?$/ }, (args) => ({ path: args.path, namespace: 'left-out' }));
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      loader: 'js',
      contents: /simd/.test(args.path)
        ? "throw new Error('llhttp SIMD build left out of the bundle');"
        : "module.exports = class Socks5ProxyAgent { constructor() { throw new Error('SOCKS proxies are not supported'); } };",
    }));
  },
};

/** Node 22 is the product's runtime: VS Code >= 1.101 runs extensions on it. */
const nodeTarget = { platform: 'node', format: 'cjs', target: 'node22' };

const configs = [
  {
    ...common, ...nodeTarget,
    entryPoints: {
      extension: 'src/host/extension.ts',
      simulator: 'src/core/simulator/cli.ts',
      'archive-worker': 'src/core/archive/worker.ts',
      // The sync thread (core/archive/syncThread.ts starts it).
      'sync-worker': 'src/core/archive/syncWorker.ts',
      // Demo mode's simulator, required by the host only when the demo starts (host/demo/demoMode.ts).
      'demo-simulator': 'src/core/simulator/index.ts',
      server: 'src/server/main.ts',
    },
    outdir: 'dist',
    // pg requires its optional native binding only when asked for (pg.native); the service never is.
    external: ['vscode', 'pg-native'],
    plugins: [leaveOutOfHost],
  },
  {
    ...common,
    platform: 'browser', format: 'iife', target: 'chrome120',
    entryPoints: { search: 'webview/search/main.ts', stream: 'webview/stream/main.ts' },
    outdir: 'dist/webview',
  },
];

function testEntries(dir) {
  const found = [];
  if (!existsSync(dir)) return found;
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(test|bench)\.ts$/.test(name) || /\/suite\/index\.ts$/.test(p) || /\/desktop\/run\.ts$/.test(p)) found.push(p);
    }
  };
  walk(dir);
  return found;
}

if (tests) {
  rmSync('out', { recursive: true, force: true });
  configs.push({
    ...common, ...nodeTarget,
    sourcemap: 'inline',
    entryPoints: [...testEntries('test'), ...testEntries('bench')].filter((p) => !p.includes('/fixtures/')),
    outdir: 'out',
    outbase: '.',
    // Test files load their dependencies (mocha, playwright-core, vscode) at run time.
    packages: 'external',
    external: ['vscode'],
  });
}

function copyAssets() {
  mkdirSync('dist/webview', { recursive: true });
  cpSync('node_modules/@vscode/codicons/dist/codicon.css', 'dist/webview/codicon.css');
  cpSync('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/webview/codicon.ttf');
}

if (watch) {
  const contexts = await Promise.all(configs.map((c) => esbuild.context(c)));
  await Promise.all(contexts.map((c) => c.watch()));
  copyAssets();
  console.log('[esbuild] watching…');
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
  copyAssets();
}
