/**
 * The archive service in team mode, in this process: the simulator's corps by suite chain, WeCom's
 * callbacks received from the simulator, and the team API with the given keys (stored by their
 * SHA-256, as an operator configures them). For the service tier and the code-server test alike.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type RunningSimulator, startSimulator } from '../../src/core/simulator/index';
import { checkConfig } from '../../src/server/config';
import { ArchiveService, JsonLog } from '../../src/server/service';
import { newApiKey } from '../../src/server/team/apiKeys';
import { freshDatabase } from '../harness/postgres';
import { tempDir } from '../unit/archive/helpers';
import { serviceConfig } from './helpers';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface TeamServiceSetup {
  sim: RunningSimulator;
  database: string;
  port: number;
  auditLog: string;
  keys: { user: string; key: string; corps: string[]; admin?: boolean }[];
  /** What the simulator signs and encrypts its callbacks with. */
  callback: { token: string; encodingAesKey: string };
  /** Replaces env values of the config (e.g. a stale suite ticket). */
  env?: Record<string, string>;
  log?: (entry: Record<string, unknown>) => void;
}

/** Starts the service; resolves once it listens on `port`. */
export async function startTeamService(s: TeamServiceSetup): Promise<ArchiveService> {
  // No interval due within a test: only the callbacks make the service sync again.
  const { config, env } = serviceConfig({ sim: s.sim, database: s.database, intervalSeconds: 3600 });
  Object.assign(env, { T_CB_TOKEN: s.callback.token, T_CB_KEY: s.callback.encodingAesKey }, s.env);
  const checked = checkConfig({
    ...config,
    listen: { host: '127.0.0.1', port: s.port },
    team: {
      auditLog: s.auditLog,
      keys: s.keys.map((k) => ({ user: k.user, sha256: createHash('sha256').update(k.key).digest('hex'), corps: k.corps, ...(k.admin ? { admin: true } : {}) })),
    },
    callback: { tokenEnv: 'T_CB_TOKEN', encodingAesKeyEnv: 'T_CB_KEY' },
  });
  assert.deepEqual(checked.problems, []);
  const log = s.log;
  const service = new ArchiveService(checked.config!, { env, log: new JsonLog((line) => log?.(JSON.parse(line) as Record<string, unknown>)) });
  await service.start();
  return service;
}

export interface TeamMode {
  sim: RunningSimulator;
  service: ArchiveService;
  /** The service's URL. */
  base: string;
  /** Alice's key reads corp A (the simulator's first) only; the admin's reads every corp and the audit log. */
  keyA: string;
  admin: string;
  auditLog: string;
  /** What the simulator signs and encrypts its callbacks with. */
  callback: { token: string; encodingAesKey: string };
}

/**
 * Team mode whole: a simulator of two corps pushing its callbacks to a service on a fresh database,
 * with two keys. No sync interval is due within a test: the callbacks make the service sync.
 */
export async function startTeamMode(o: {
  seed: number;
  messages: number;
  ticketPeriodSeconds: number;
  env?: Record<string, string>;
  log?: (entry: Record<string, unknown>) => void;
}): Promise<TeamMode> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const callback = { token: randomBytes(8).toString('hex'), encodingAesKey: randomBytes(32).toString('base64').slice(0, 43) };
  const sim = await startSimulator({
    corps: 2,
    messages: o.messages,
    days: 2,
    seed: o.seed,
    rateLimits: { noTokenPerMinute: 1_000_000 },
    callbacks: { url: `${base}/wecom/callback`, ...callback, minIntervalSeconds: 1, ticketPeriodSeconds: o.ticketPeriodSeconds },
  });
  const keyA = newApiKey();
  const admin = newApiKey();
  const auditLog = join(tempDir('team-mode-'), 'audit.jsonl');
  const service = await startTeamService({
    sim,
    database: await freshDatabase('team'),
    port,
    auditLog,
    keys: [
      { user: 'alice', key: keyA, corps: [sim.corps[0]!.corpId] },
      { user: 'root', key: admin, corps: ['*'], admin: true },
    ],
    callback,
    ...(o.env ? { env: o.env } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  return { sim, service, base, keyA, admin, auditLog, callback };
}
