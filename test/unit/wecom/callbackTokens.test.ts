// Callback tokens from the provider's service (here the simulator's): the URL rule before any
// request, the reply's shape, a run that sends the service's token on every page, and a token
// WeCom refuses (it expired on WeCom's clock) replaced by asking the service again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator/index';
import { CallbackTokenService, RunCallbackToken } from '../../../src/core/wecom/callbackTokens';
import { WeComClient } from '../../../src/core/wecom/client';
import { ConfigError } from '../../../src/core/wecom/errors';
import { demoTokenSource } from '../../../src/core/wecom/tokens';
import { HttpTransport } from '../../../src/core/wecom/transport';
import { capturingLogger } from './helpers';

let sim: RunningSimulator;
const transport = new HttpTransport({ env: {} });

before(async () => {
  // One sync_msg per minute without a valid token: every token-less page would wait a minute.
  sim = await startSimulator({ seed: 5, messages: 3000, days: 2, rateLimits: { noTokenPerMinute: 1, blockSeconds: 60 } });
});
after(async () => {
  await transport.close();
  await sim.close();
});

describe('CallbackTokenService', () => {
  it('refuses a URL that is not https or loopback http, naming the rule, before any request', () => {
    const never = {
      send: () => {
        throw new Error('no request may be made');
      },
    } as unknown as HttpTransport;
    for (const url of ['http://tokens.example.com/cb', 'ftp://127.0.0.1/x', 'not a url']) {
      assert.throws(
        () => new CallbackTokenService({ url, transport: never }),
        (e: unknown) => e instanceof ConfigError && e.setting === 'tokenService' && /https:|valid URL/.test(e.message),
        url,
      );
    }
    for (const url of ['https://tokens.example.com/cb', 'http://127.0.0.1:9/cb', 'http://localhost/cb', 'http://[::1]/cb']) {
      assert.doesNotThrow(() => new CallbackTokenService({ url, transport: never }), url);
    }
  });

  it('reads {token, expires_at} (Unix seconds) and refuses any other reply with a clear error', async () => {
    const t0 = Date.now();
    const got = await new CallbackTokenService({ url: sim.callbackTokenUrl, transport }).fetch();
    assert.ok(got.token.length > 0);
    assert.ok(got.expiresAt >= t0 + 590_000 && got.expiresAt <= Date.now() + 601_000, `expiresAt ${got.expiresAt}`);
    await assert.rejects(new CallbackTokenService({ url: `${sim.url}/_sim/clock`, transport }).fetch(), (e: unknown) => e instanceof ConfigError && /expires_at/.test(e.message));
  });
});

describe('RunCallbackToken with the client against a strict simulator', () => {
  it("sends the service's token with every page, and asks again when WeCom refuses it", async () => {
    const logger = capturingLogger();
    let skew = 0;
    const clock = { now: () => Date.now() + skew };
    const tokens = new RunCallbackToken(new CallbackTokenService({ url: sim.callbackTokenUrl, transport }), () => undefined, logger, clock);
    let waits = 0;
    const client = new WeComClient({
      tokenSource: demoTokenSource(sim.accessToken),
      baseUrl: sim.url,
      transport,
      sleep: async (ms) => {
        sim.advanceClock(Math.ceil(ms / 1000));
      },
      onWait: () => {
        waits++;
        tokens.refused();
      },
    });
    const before = sim.stats().syncTokens;
    await tokens.prepare();
    assert.equal(tokens.fetches, 1);
    let cursor: string | undefined;
    let pages = 0;
    let total = 0;
    const page = async () => {
      const token = tokens.current();
      const p = await client.syncMsg({ limit: 100, ...(cursor ? { cursor } : {}), ...(token ? { token } : {}) });
      cursor = p.nextCursor;
      pages++;
      total += p.messages.length;
      return p.hasMore;
    };
    for (let i = 0; i < 10; i++) await page();
    const mid = sim.stats().syncTokens;
    assert.equal(mid.valid - before.valid, 10, 'every page carried a valid token');
    assert.equal(waits, 0, 'no strict limit with a valid token');

    // WeCom's clock moves past the token's 10 minutes; our copy still looks valid (wall clock).
    sim.advanceClock(700);
    // Past the re-fetch throttle (5 s), so the refusal may ask the service again.
    skew += 6000;
    while (await page()) {
      if (pages > 100) assert.fail('the run did not end');
    }
    await new Promise((r) => setImmediate(r));
    const end = sim.stats().syncTokens;
    assert.ok(waits >= 1, 'the stale token met the strict limit');
    assert.equal(tokens.fetches, 2, 'the refusal fetched a new token');
    assert.ok(end.invalid - mid.invalid <= 3, `only the pages before the new token went without (${end.invalid - mid.invalid})`);
    assert.ok(end.valid - mid.valid >= pages - 10 - 3, 'the rest carried the new token');
    assert.ok(total > 0);
    await client.close();
  });

  it('when the service fails, the run goes on with the pasted token and says why in the log', async () => {
    const logger = capturingLogger();
    const pasted = { token: sim.mintCallbackToken(), expiresAt: Date.now() + 600_000 };
    const tokens = new RunCallbackToken(new CallbackTokenService({ url: 'http://127.0.0.1:9/none', transport, timeoutMs: 2000 }), () => pasted, logger);
    await tokens.prepare();
    assert.equal(tokens.current(), pasted.token);
    assert.ok(logger.lines.some((l) => /callback token service .* failed/.test(l)), logger.lines.join('\n'));
    const expired = new RunCallbackToken(undefined, () => ({ token: 'old', expiresAt: Date.now() + 5000 }), logger);
    assert.equal(expired.current(), undefined, 'a token about to expire is not sent');
  });
});
