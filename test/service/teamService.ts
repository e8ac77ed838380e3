/**
 * The archive service in team mode, in this process: the simulator's corps by suite chain, WeCom's
 * callbacks received from the simulator, and the team API with the given keys (stored by their
 * SHA-256, as an operator configures them). For the service tier and the code-server test alike.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import type { RunningSimulator } from '../../src/core/simulator/index';
import { checkConfig } from '../../src/server/config';
import { ArchiveService, JsonLog } from '../../src/server/service';
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
