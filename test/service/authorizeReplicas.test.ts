/**
 * create_auth with two replicas on one database: WeCom pushes to one of them (A); the other (B)
 * reads the new corp from authorized_corps on its own, within its 30 s reload, without a restart.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type RunningSimulator, startSimulator } from '../../src/core/simulator/index';
import { checkConfig, type ServerConfig } from '../../src/server/config';
import { ArchiveService, JsonLog } from '../../src/server/service';
import { freshDatabase } from '../harness/postgres';
import { serviceConfig, until } from './helpers';
import { freePort } from './teamService';

describe('create_auth across replicas', () => {
  let sim: RunningSimulator;
  const services: ArchiveService[] = [];
  const logsB: Record<string, unknown>[] = [];
  const cb = { token: 'replica-cb-token', encodingAesKey: randomBytes(32).toString('base64').slice(0, 43) };

  before(async () => {
    const portA = await freePort();
    sim = await startSimulator({
      messages: 100,
      days: 1,
      seed: 43,
      rateLimits: { noTokenPerMinute: 1_000_000 },
      callbacks: { url: `http://127.0.0.1:${portA}/wecom/callback`, ...cb, minIntervalSeconds: 1, ticketPeriodSeconds: 1 },
    });
    const made = serviceConfig({ sim, database: await freshDatabase('authrep'), intervalSeconds: 3600 });
    const env = { ...made.env, T_CB_TOKEN: cb.token, T_CB_KEY: cb.encodingAesKey, T_PC_KEY: randomBytes(32).toString('base64') };
    const configFor = (port: number): ServerConfig => {
      const checked = checkConfig({
        ...made.config,
        listen: { host: '127.0.0.1', port },
        suite: { ...(made.config.suite as Record<string, unknown>), permanentCodeKeyEnv: 'T_PC_KEY' },
        callback: { tokenEnv: 'T_CB_TOKEN', encodingAesKeyEnv: 'T_CB_KEY' },
      });
      assert.deepEqual(checked.problems, []);
      return checked.config!;
    };
    services.push(new ArchiveService(configFor(portA), { env, log: new JsonLog(() => undefined) }));
    services.push(new ArchiveService(configFor(0), { env, log: new JsonLog((line) => logsB.push(JSON.parse(line) as Record<string, unknown>)) }));
    for (const s of services) await s.start();
  });

  after(async () => {
    for (const s of services) await s.stop();
    await sim?.close();
  });

  it('the replica WeCom did not push to adds the corp within its 30 s reload', async () => {
    const { corpid } = (await (await fetch(`${sim.url}/_sim/authorize`, { method: 'POST' })).json()) as { corpid: string };
    const elapsed = await until('replica B adds the corp', 40_000, () => logsB.some((l) => l.msg === 'corp added from authorized_corps' && l.corp === corpid), 200);
    assert.ok(elapsed <= 35_000, `${elapsed} ms`);
    assert.ok((await services[1]!.metrics()).includes(corpid));
  });
});
