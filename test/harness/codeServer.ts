// Starts code-server (VS Code's own server and web workbench) on 127.0.0.1 with all of its state
// in a fresh folder, and stops it by process group so nothing is left running.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freshDir, requireEnv } from './paths';

export interface CodeServer {
  url: string;
  port: number;
  root: string;
  workspace: string;
  userDataDir: string;
  logFile: string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** A built .vsix to install before the server starts. */
  vsix?: string;
  /** More .vsix files to install alongside (e.g. a test probe). */
  extraVsix?: string[];
  /** Needed for the extensionDevelopmentPath/extensionTestsPath URL payload (VS Code >= 1.139). */
  smokeTestDriver?: boolean;
  /** Extra user settings (e.g. the color theme). */
  settings?: Record<string, unknown>;
  /** Extra environment for the server and its extension hosts. */
  env?: Record<string, string>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function isolatedEnv(root: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const node24 = requireEnv('WECOM_NODE24');
  const dirs = { HOME: root, XDG_CONFIG_HOME: join(root, 'xdg-config'), XDG_DATA_HOME: join(root, 'xdg-data'), XDG_CACHE_HOME: join(root, 'xdg-cache'), XDG_STATE_HOME: join(root, 'xdg-state'), TMPDIR: join(root, 'tmp') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  return { ...process.env, ...dirs, PATH: `${node24}/bin:${process.env.PATH ?? ''}`, ...extra };
}

export async function startCodeServer(opts: CodeServerOptions = {}): Promise<CodeServer> {
  const bin = requireEnv('WECOM_CODE_SERVER');
  const root = freshDir('code-server');
  const userDataDir = join(root, 'data');
  const extensionsDir = join(root, 'extensions');
  const workspace = join(root, 'workspace');
  for (const d of [join(userDataDir, 'User'), extensionsDir, workspace]) mkdirSync(d, { recursive: true });
  writeFileSync(join(workspace, 'README.txt'), 'WeCom Chat Archive test workspace\n');
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'workbench.tips.enabled': false, 'chat.disableAIFeatures': true, 'git.openRepositoryInParentFolders': 'never', 'workbench.secondarySideBar.defaultVisibility': 'hidden', ...opts.settings }, null, 2),
  );
  const env = isolatedEnv(root, opts.env);
  const common = ['--config', join(root, 'config.yaml'), '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  for (const vsix of [opts.vsix, ...(opts.extraVsix ?? [])]) if (vsix) execFileSync(bin, [...common, '--install-extension', vsix], { env, stdio: 'pipe', timeout: 120_000 });

  const port = await freePort();
  const logFile = join(root, 'code-server.log');
  const out = openSync(logFile, 'a');
  const args = [...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust'];
  if (opts.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  // Its own process group, so stop() reaches the server, its extension hosts and watchers.
  const child: ChildProcess = spawn(bin, [...args, workspace], { env, stdio: ['ignore', out, out], detached: true });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = new Promise<void>((r) => setTimeout(r, 8000).unref());
    await Promise.race([exited, timer]);
    try {
      process.kill(-child.pid, 'SIGKILL'); // whatever ignored SIGTERM (lingering extension hosts)
    } catch {
      /* already gone */
    }
  };
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) break;
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return { url, port, root, workspace, userDataDir, logFile, stop };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`code-server did not come up on ${url}; see ${logFile}`);
}
