/**
 * `npm run server`'s demo, as the bundle ships: the simulator pushes its callbacks to the service,
 * which keeps the throwaway database, and the team API answers the key the demo prints (the one a
 * user pastes into VS Code). SIGTERM ends it within 5 s.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { freshDatabase } from '../harness/postgres';
import { serverBundle, until } from './helpers';
import { freePort } from './teamService';

describe('the service demo (npm run server)', () => {
  it('syncs the simulator\'s corps, hears its callbacks, and answers the printed key', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [await serverBundle(), '--demo', '--database', await freshDatabase('demo'), '--listen', `127.0.0.1:${port}`, '--corps', '2', '--messages', '400'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => logs.push(JSON.parse(l) as Record<string, unknown>));
    let key = '';
    createInterface({ input: child.stderr }).on('line', (l) => {
      key ||= /API key (\S+)/.exec(l)?.[1] ?? '';
    });
    try {
      await until('the demo key', 30_000, () => key !== '', 100);
      const base = `http://127.0.0.1:${port}`;
      let corps: { corpId: string; messages: number }[] = [];
      await until('both corps synced', 30_000, async () => {
        const res = await fetch(`${base}/v1/corps`, { headers: { authorization: `Bearer ${key}` } });
        corps = ((await res.json()) as { corps: typeof corps }).corps;
        return corps.length === 2 && corps.every((c) => c.messages > 0);
      }, 200);
      assert.equal((await fetch(`${base}/v1/corps`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
      await until('a pushed suite ticket', 10_000, () => logs.some((l) => l.msg === 'suite ticket received'), 100);
      assert.ok(!JSON.stringify(logs).includes(key), 'the key is printed for the user, never logged');
    } finally {
      const t0 = Date.now();
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0);
      assert.ok(Date.now() - t0 < 5000, `${Date.now() - t0} ms`);
    }
  });
});
