// A throwaway PostgreSQL cluster: the machine's server binaries (Debian's `postgresql`, installed by
// scripts/bootstrap.sh when missing), `initdb` in a temp folder as a non-root user, listening on a
// random port of 127.0.0.1 and a unix socket in that folder; stopped and removed at exit.
//
//   node scripts/postgres.mjs -- <command…>   runs the command with WECOM_PG_URL set, then stops
//                                              the cluster whatever the command's outcome
//   import { startPostgres } from './postgres.mjs'   (the test harness, the service tier, the demo)
//
// PostgreSQL refuses to run as root, so as root the cluster belongs to `nobody` (WECOM_PG_USER to
// choose another): the folder is created for it and every server command runs through runuser.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The newest server under /usr/lib/postgresql/<n>/bin, or WECOM_PG_BIN. */
export function postgresBin() {
  if (process.env.WECOM_PG_BIN) return process.env.WECOM_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) {
    throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql: run `bash scripts/bootstrap.sh service` (installs Debian\'s postgresql) or set WECOM_PG_BIN');
  }
  return join(root, versions[0], 'bin');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const runAs = process.env.WECOM_PG_USER || 'nobody';

/** Runs a server command as the cluster's owner; throws with its output when it fails. */
function runOwned(bin, args, what) {
  const [cmd, argv] = isRoot ? ['runuser', ['-u', runAs, '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: '/' });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || r.error?.message || '').trim().slice(-2000)}`);
  return r.stdout;
}

function ownerIds() {
  const out = spawnSync('id', ['-u', runAs], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', runAs], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`user ${runAs} does not exist: set WECOM_PG_USER to a non-root user for PostgreSQL`);
  return { uid: Number(out.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * Starts a cluster; resolves to { url, socketDir, port, dir, stop() }. `stop` is idempotent and
 * synchronous (usable in an 'exit' handler), and registered for process exit already.
 */
export async function startPostgres(opts = {}) {
  const bin = opts.bin ?? postgresBin();
  const dir = mkdtempSync(join(opts.tmp ?? tmpdir(), 'wecom-pg-'));
  if (isRoot) {
    const { uid, gid } = ownerIds();
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (existsSync(join(data, 'postmaster.pid'))) {
      try {
        // immediate: a test cluster has nothing to flush; the folder goes next.
        runOwned(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', '-t', '10', 'stop'], 'pg_ctl stop');
      } catch {
        /* already down */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  try {
    runOwned(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], 'initdb');
    let lastError;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      // Durability settings off: a test cluster dies with the run. Replicas' SIGKILL proofs kill
      // the service, never the server, so they are unaffected.
      const options = [
        `-p ${port}`, "-h 127.0.0.1", `-k ${dir}`, '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off',
        '-c max_connections=200', '-c shared_buffers=128MB', '-c max_wal_size=2GB', `-c log_min_messages=warning`,
      ].join(' ');
      try {
        runOwned(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '30', 'start'], 'pg_ctl start');
        const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
        return { url, port, socketDir: dir, dir, stop };
      } catch (error) {
        lastError = error;
        const log = join(dir, 'server.log');
        if (existsSync(log) && !/could not bind|Address already in use/.test(readFileSync(log, 'utf8'))) break;
      }
    }
    throw lastError;
  } catch (error) {
    stop();
    throw error;
  }
}

// ---------------------------------------------------------------- CLI: run a command with a cluster
if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--');
  const command = at >= 0 ? process.argv.slice(at + 1) : [];
  const pg = await startPostgres();
  if (command.length === 0) {
    console.log(JSON.stringify({ url: pg.url }));
    const end = () => process.exit(0);
    process.on('SIGINT', end);
    process.on('SIGTERM', end);
    setInterval(() => undefined, 1 << 30);
  } else {
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env: { ...process.env, WECOM_PG_URL: pg.url } });
    for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
    child.on('exit', (code, signal) => {
      pg.stop();
      process.exit(code ?? (signal ? 1 : 0));
    });
  }
}
