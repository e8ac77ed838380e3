import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { BadResponseError, CancelledError, ConfigError, TokenError, WeComApiError } from '../../../src/core/wecom/errors';
import { demoTokenSource, refreshMarginMs, StaticTokenSource, SuiteTokenSource, TokenServiceSource } from '../../../src/core/wecom/tokens';
import { HttpTransport } from '../../../src/core/wecom/transport';
import { capturingLogger, type Reply, startServer } from './helpers';

function fakeClock(start = 1_700_000_000_000) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

const transport = new HttpTransport({ env: {} });
after(() => transport.close());

describe('StaticTokenSource', () => {
  it('returns the pasted token until its expiry, then asks for a new one', async () => {
    const clock = fakeClock();
    const source = new StaticTokenSource({ token: 'PASTED_TOKEN_1', expiresAt: clock.t + 1000, clock });
    assert.equal(await source.getToken(), 'PASTED_TOKEN_1');
    clock.t += 1000;
    await assert.rejects(source.getToken(), (e: unknown) => e instanceof TokenError && e.problem === 'expired' && e.nextStep.action === 'pasteToken');
    assert.ok(!source.describe().includes('PASTED_TOKEN_1'));
  });

  it('refresh can only say so', async () => {
    const source = new StaticTokenSource({ token: 'PASTED_TOKEN_1' });
    await assert.rejects(source.refresh(), (e: unknown) => e instanceof TokenError && e.problem === 'notRefreshable');
    await assert.rejects(new StaticTokenSource({ token: '' }).getToken(), (e: unknown) => e instanceof TokenError && e.problem === 'missing');
  });

  it('demo source is a non-expiring static token', async () => {
    const demo = demoTokenSource('SIM_TOKEN_abc');
    assert.equal(await demo.getToken(), 'SIM_TOKEN_abc');
    assert.match(demo.describe(), /demo/);
  });
});

describe('refresh margin', () => {
  it('is 10 % of the lifetime, at most 5 minutes', () => {
    assert.equal(refreshMarginMs(7200), 300_000);
    assert.equal(refreshMarginMs(60), 6_000);
  });
});

/** A fake WeCom token chain: suite token s1, s2…; corp token c1, c2…; optional scripted failures. */
async function suiteServer(script: { corp?: Array<Reply | undefined>; suite?: Array<Reply | undefined>; delayMs?: number } = {}) {
  let suite = 0;
  let corp = 0;
  const server = await startServer((req) => {
    if (req.path === '/cgi-bin/service/get_suite_token') {
      const scripted = script.suite?.[suite];
      suite++;
      if (scripted) return scripted;
      return { json: { errcode: 0, errmsg: 'ok', suite_access_token: `SUITE_TOKEN_${suite}`, expires_in: 7200 }, delayMs: script.delayMs ?? 0 };
    }
    if (req.path === '/cgi-bin/service/get_corp_token') {
      const scripted = script.corp?.[corp];
      corp++;
      if (scripted) return scripted;
      return { json: { errcode: 0, errmsg: 'ok', access_token: `CORP_TOKEN_${corp}`, expires_in: 7200 }, delayMs: script.delayMs ?? 0 };
    }
    return { status: 404, json: {} };
  });
  return server;
}

function suiteOptions(url: string, clock = fakeClock()) {
  return {
    suiteId: 'wwsuite',
    suiteSecret: 'SUITE_SECRET_xyz',
    suiteTicket: () => 'TICKET_abc123',
    authCorpId: 'wwcorp',
    permanentCode: 'PERMANENT_CODE_q',
    baseUrl: url,
    transport,
    clock,
  };
}

function suiteSource(url: string, clock = fakeClock()) {
  return new SuiteTokenSource(suiteOptions(url, clock));
}

describe('SuiteTokenSource', () => {
  it('chains get_suite_token → get_corp_token with the right bodies and caches both', async () => {
    const server = await suiteServer();
    try {
      const clock = fakeClock();
      const source = suiteSource(server.url, clock);
      assert.equal(await source.getToken(), 'CORP_TOKEN_1');
      assert.equal(await source.getToken(), 'CORP_TOKEN_1');
      assert.equal(server.requests.length, 2);
      const [s, c] = server.requests;
      assert.deepEqual(s?.body, { suite_id: 'wwsuite', suite_secret: 'SUITE_SECRET_xyz', suite_ticket: 'TICKET_abc123' });
      assert.equal(c?.url.searchParams.get('suite_access_token'), 'SUITE_TOKEN_1');
      assert.deepEqual(c?.body, { auth_corpid: 'wwcorp', permanent_code: 'PERMANENT_CODE_q' });
      // Just before the margin: cached. Past it: both refetched (both had 7200 s).
      clock.t += 7200_000 - 300_000 - 1;
      assert.equal(await source.getToken(), 'CORP_TOKEN_1');
      clock.t += 1;
      assert.equal(await source.getToken(), 'CORP_TOKEN_2');
      assert.equal(server.requests.length, 4);
      assert.equal(server.requests[3]?.url.searchParams.get('suite_access_token'), 'SUITE_TOKEN_2');
      assert.ok(!source.describe().includes('SECRET'));
    } finally {
      await server.close();
    }
  });

  it('concurrent callers share one in-flight fetch', async () => {
    const server = await suiteServer({ delayMs: 50 });
    try {
      const source = suiteSource(server.url);
      const tokens = await Promise.all(Array.from({ length: 8 }, () => source.getToken()));
      assert.deepEqual(new Set(tokens), new Set(['CORP_TOKEN_1']));
      assert.equal(server.requests.length, 2);
    } finally {
      await server.close();
    }
  });

  it('one caller cancelling does not fail the shared fetch for others', async () => {
    const server = await suiteServer({ delayMs: 80 });
    try {
      const source = suiteSource(server.url);
      const controller = new AbortController();
      const cancelled = source.getToken(controller.signal);
      const other = source.getToken();
      controller.abort();
      await assert.rejects(cancelled, CancelledError);
      assert.equal(await other, 'CORP_TOKEN_1');
    } finally {
      await server.close();
    }
  });

  it('refresh fetches a new corp token, reusing the suite token', async () => {
    const server = await suiteServer();
    try {
      const source = suiteSource(server.url);
      assert.equal(await source.getToken(), 'CORP_TOKEN_1');
      assert.equal(await source.refresh(), 'CORP_TOKEN_2');
      assert.equal(await source.getToken(), 'CORP_TOKEN_2');
      assert.deepEqual(
        server.requests.map((r) => r.path.split('/').pop()),
        ['get_suite_token', 'get_corp_token', 'get_corp_token'],
      );
    } finally {
      await server.close();
    }
  });

  it('42009 from get_corp_token renews the suite token once', async () => {
    const server = await suiteServer({ corp: [{ json: { errcode: 42009, errmsg: 'suite token expired' } }] });
    try {
      const source = suiteSource(server.url);
      assert.equal(await source.getToken(), 'CORP_TOKEN_2');
      assert.deepEqual(
        server.requests.map((r) => r.path.split('/').pop()),
        ['get_suite_token', 'get_corp_token', 'get_suite_token', 'get_corp_token'],
      );
    } finally {
      await server.close();
    }
  });

  it('40085 (bad suite_ticket) and 40084 (bad permanent_code) are typed, secret-free errors', async () => {
    const server = await suiteServer({
      suite: [{ json: { errcode: 40085, errmsg: 'invalid suite_ticket TICKET_abc123' } }],
    });
    try {
      const source = suiteSource(server.url);
      await assert.rejects(source.getToken(), (e: unknown) => {
        assert.ok(e instanceof WeComApiError);
        assert.equal(e.errcode, 40085);
        assert.equal(e.api, 'get_suite_token');
        assert.equal(e.nextStep.action, 'updateSuiteTicket');
        assert.ok(!JSON.stringify({ m: e.message, e: e.errmsg, u: e.userMessage }).includes('TICKET_abc123'));
        return true;
      });
    } finally {
      await server.close();
    }
    const server2 = await suiteServer({ corp: [{ json: { errcode: 40084, errmsg: 'invalid permanent_code' } }] });
    try {
      await assert.rejects(suiteSource(server2.url).getToken(), (e: unknown) => e instanceof WeComApiError && e.errcode === 40084 && e.kind === 'fatal');
    } finally {
      await server2.close();
    }
  });

  it('an empty suite_secret, suite_ticket or permanent_code is refused by name before any request', async () => {
    const server = await suiteServer({});
    try {
      for (const [name, empty] of [
        ['suite_secret', { suiteSecret: '' }],
        ['suite_ticket', { suiteTicket: () => '' }],
        ['permanent_code', { permanentCode: '' }],
      ] as const) {
        const source = new SuiteTokenSource({ ...suiteOptions(server.url), ...empty });
        await assert.rejects(source.getToken(), (e: unknown) => {
          assert.ok(e instanceof TokenError && e.problem === 'missing', String(e));
          assert.equal(e.message, `No ${name} was given.`);
          assert.equal(e.nextStep.action, 'editProfile');
          return true;
        });
      }
      assert.equal(server.requests.length, 0);
    } finally {
      await server.close();
    }
  });
});

describe('TokenServiceSource', () => {
  it('GETs the service with the bearer secret, caches, refreshes', async () => {
    let n = 0;
    const server = await startServer(() => {
      n++;
      return { json: { access_token: `SERVICE_TOKEN_${n}`, expires_in: 7200 } };
    });
    try {
      const clock = fakeClock();
      const source = new TokenServiceSource({ url: `${server.url}/token`, bearerSecret: 'BEARER_SECRET_1', transport, clock });
      assert.equal(await source.getToken(), 'SERVICE_TOKEN_1');
      assert.equal(await source.getToken(), 'SERVICE_TOKEN_1');
      assert.equal(server.requests.length, 1);
      assert.equal(server.requests[0]?.method, 'GET');
      assert.equal(server.requests[0]?.headers.authorization, 'Bearer BEARER_SECRET_1');
      assert.equal(await source.refresh(), 'SERVICE_TOKEN_2');
      clock.t += 7200_000;
      assert.equal(await source.getToken(), 'SERVICE_TOKEN_3');
      assert.ok(!source.describe().includes('BEARER'));
    } finally {
      await server.close();
    }
  });

  it('a refresh returning the rejected token is logged, and the token returned for one retry', async () => {
    const server = await startServer(() => ({ json: { access_token: 'SAME_TOKEN_x', expires_in: 7200 } }));
    try {
      const logger = capturingLogger();
      const source = new TokenServiceSource({ url: `${server.url}/token`, transport, logger });
      await source.getToken();
      assert.equal(await source.refresh(), 'SAME_TOKEN_x');
      assert.equal(server.requests.length, 2);
      assert.ok(logger.lines.some((l) => l.startsWith('warn') && l.includes('same token')));
      assert.ok(logger.lines.every((l) => !l.includes('SAME_TOKEN_x')));
    } finally {
      await server.close();
    }
  });

  it('HTTP 401 and a reply without access_token are typed errors', async () => {
    const server = await startServer((_r, i) => (i === 0 ? { status: 401, json: {} } : { json: { expires_in: 5 } }));
    try {
      const source = new TokenServiceSource({ url: `${server.url}/token`, transport });
      await assert.rejects(source.getToken(), (e: unknown) => e instanceof BadResponseError && e.status === 401 && e.kind === 'fatal');
      await assert.rejects(source.getToken(), (e: unknown) => e instanceof TokenError && e.problem === 'badReply');
    } finally {
      await server.close();
    }
  });

  it('refuses plain http: to a non-loopback host', () => {
    assert.throws(() => new TokenServiceSource({ url: 'http://tokens.example.com/t', transport }), ConfigError);
  });
});
