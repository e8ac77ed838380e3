// The CLI bundle (built next to this test into out/src/core/simulator/cli.js): first stdout line,
// --help, loopback-only binding, clean exit on SIGTERM.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { post } from './helpers';

// Built either next to the tests (out/src/core/simulator/cli.js) or by the product build (dist/simulator.js).
const CANDIDATES = [
  join(__dirname, '..', '..', '..', 'src', 'simulator', 'cli.js'),
  join(__dirname, '..', '..', '..', '..', 'dist', 'simulator.js'),
];
const CLI = CANDIDATES.find((p) => existsSync(p)) ?? CANDIDATES[0]!;

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => {
      rl.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing`)));
  });
}

describe('simulator CLI', () => {
  it('is built', () => assert.ok(existsSync(CLI), `${CLI} exists`));

  it('--help lists every option', () => {
    const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    for (const flag of ['--port', '--seed', '--messages', '--days', '--rate', '--token-ttl', '--help']) {
      assert.ok(r.stdout.includes(flag), `help mentions ${flag}`);
    }
  });

  it('refuses a non-loopback bind', () => {
    const r = spawnSync(process.execPath, [CLI, '--host', '0.0.0.0'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /127\.0\.0\.1/);
  });

  it('prints url, access_token and a callback token first, serves them, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, '--port', '0', '--seed', '7', '--messages', '3000', '--token-ttl', '600'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const info = JSON.parse(await firstLine(child)) as Record<string, unknown>;
      assert.match(info.url as string, /^http:\/\/127\.0\.0\.1:\d+$/);
      for (const k of ['access_token', 'token', 'corpid', 'suite_id', 'suite_secret', 'suite_ticket', 'permanent_code', 'public_key_ver']) {
        assert.ok(info[k] !== undefined && info[k] !== '', `first line has ${k}`);
      }
      assert.ok(!JSON.stringify(info).includes('PRIVATE KEY'), 'never prints the private key');
      const r = await post(`${info.url}/cgi-bin/chatdata/sync_msg?access_token=${info.access_token}`, { token: info.token, limit: 10 });
      assert.equal(r.body.errcode, 0);
      assert.equal((r.body.msg_list as unknown[]).length, 10);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
