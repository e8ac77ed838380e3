import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type WeComClientOptions, WeComClient } from '../../../src/core/wecom/client';
import {
  BadResponseError,
  CancelledError,
  ConfigError,
  NetworkError,
  RequestRuleError,
  TimeoutError,
  TokenError,
  WeComApiError,
} from '../../../src/core/wecom/errors';
import { realSleep } from '../../../src/core/wecom/timing';
import { StaticTokenSource, type TokenSource } from '../../../src/core/wecom/tokens';
import type { SearchMsgRequest } from '../../../src/shared/wire';
import { capturingLogger, err, type Handler, instantSleep, ok, type ScriptedServer, startServer, tooLargeAbove } from './helpers';

const TOKEN = 'ACCESS_TOKEN_SECRET_42abc';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});

async function setup(handler: Handler, options: Partial<WeComClientOptions> = {}) {
  const server = await startServer(handler);
  const logger = capturingLogger();
  const sleeper = instantSleep();
  const client = new WeComClient({
    tokenSource: new StaticTokenSource({ token: TOKEN }),
    baseUrl: server.url,
    env: {},
    logger,
    sleep: sleeper.sleep,
    random: () => 0.5,
    timeoutMs: 2000,
    ...options,
  });
  open.push(server, client);
  return { server, client, logger, sleeps: sleeper.calls };
}

function message(msgid: string, extra: Record<string, unknown> = {}) {
  return { msgid, sender: { type: 1, id: 'wo1' }, receiver_list: [{ type: 2, id: 'wm1' }], send_time: 1700000000, msgtype: 1, ...extra };
}

/** Assert the token never appears in logs or in the error, including its cause chain. */
function assertNoToken(lines: string[], error?: unknown, token = TOKEN) {
  for (const line of lines) assert.ok(!line.includes(token), `token leaked in log: ${line}`);
  let e: unknown = error;
  while (e instanceof Error) {
    assert.ok(!e.message.includes(token), `token leaked in error: ${e.message}`);
    assert.ok(!JSON.stringify(e).includes(token), 'token leaked in error fields');
    e = e.cause;
  }
}

describe('WeComClient: happy paths', () => {
  it('sync_msg: POSTs the body with the token in the query and parses the page', async () => {
    const { server, client, logger } = await setup(() => ok({ has_more: 0, next_cursor: 'C1', msg_list: [message('m1')] }));
    const page = await client.syncMsg({ cursor: 'C0', token: 'CALLBACK_TOKEN', limit: 300 });
    assert.equal(page.messages[0]?.msgid, 'm1');
    assert.equal(page.nextCursor, 'C1');
    assert.equal(page.hasMore, false);
    assert.equal(page.limitUsed, 300);
    const req = server.requests[0];
    assert.equal(req?.method, 'POST');
    assert.equal(req?.path, '/cgi-bin/chatdata/sync_msg');
    assert.equal(req?.url.searchParams.get('access_token'), TOKEN);
    assert.deepEqual(req?.body, { cursor: 'C0', token: 'CALLBACK_TOKEN', limit: 300 });
    assert.match(req?.headers['content-type'] ?? '', /application\/json/);
    assert.ok(logger.lines.some((l) => l.includes('access_token=***')));
    assertNoToken(logger.lines);
  });

  // The loop over pages is the engine's (test/unit/archive/cursorLoop.test.ts); each call is the client's.
  it('sync_msg pages: the cursor each page names, has_more true/false and 1/0 alike', async () => {
    const pages = [
      ok({ has_more: true, next_cursor: 'C1', msg_list: [message('a'), message('b')] }),
      ok({ has_more: 1, next_cursor: 'C2', msg_list: [message('c')] }),
      ok({ has_more: false, next_cursor: 'C3', msg_list: [] }),
    ];
    const { server, client } = await setup((_r, i) => pages[i] ?? err(-1));
    const got = [await client.syncMsg({ limit: 2 })];
    got.push(await client.syncMsg({ cursor: got[0]?.nextCursor, limit: 2 }));
    got.push(await client.syncMsg({ cursor: got[1]?.nextCursor, limit: 2 }));
    assert.deepEqual(
      got.map((p) => [p.messages.map((m) => m.msgid), p.nextCursor, p.hasMore, p.limitUsed]),
      [
        [['a', 'b'], 'C1', true, 2],
        [['c'], 'C2', true, 2],
        [[], 'C3', false, 2],
      ],
    );
    assert.deepEqual(
      server.requests.map((r) => r.body),
      [{ limit: 2 }, { cursor: 'C1', limit: 2 }, { cursor: 'C2', limit: 2 }],
    );
  });

  it('search_msg pages: msgids page by page, the same query with the next cursor', async () => {
    const pages = [
      ok({ has_more: 1, next_cursor: 'S1', msg_list: [{ msgid: 'x3' }, { msgid: 'x2' }] }),
      ok({ has_more: 0, next_cursor: '', msg_list: [{ msgid: 'x1' }] }),
    ];
    const { server, client } = await setup((_r, i) => pages[i] ?? err(-1));
    const request: SearchMsgRequest = { query_word: '欢迎', chat_info: { chat_type: 2, chat_id: 'wr1' }, limit: 2 };
    const got = [await client.searchMsg(request)];
    assert.equal(got[0]?.hasMore, true);
    got.push(await client.searchMsg({ ...request, cursor: got[0]?.nextCursor }));
    assert.equal(got[1]?.hasMore, false);
    assert.deepEqual(
      got.map((p) => p.msgids),
      [['x3', 'x2'], ['x1']],
    );
    assert.equal(server.requests[0]?.path, '/cgi-bin/chatdata/search_msg');
    assert.deepEqual(server.requests[1]?.body, { ...request, cursor: 'S1' });
    assert.equal(got[0]?.limitUsed, 2);
  });
});

describe('WeComClient: retries', () => {
  it('-1 then ok: retried after a jittered backoff', async () => {
    const { server, client, sleeps } = await setup((_r, i) => (i === 0 ? err(-1, 'system busy') : ok({ msg_list: [] })));
    await client.syncMsg({});
    assert.equal(server.requests.length, 2);
    assert.deepEqual(sleeps, [250]); // random 0.5 × base 500
  });

  it('45033 twice then ok', async () => {
    const { server, client, sleeps } = await setup((_r, i) => (i < 2 ? err(45033) : ok()));
    await client.searchMsg({ query_word: 'ab' });
    assert.equal(server.requests.length, 3);
    assert.deepEqual(sleeps, [250, 500]);
  });

  it('gives up after maxAttempts with exponential, capped, full-jitter delays', async () => {
    const { server, client, sleeps, logger } = await setup(() => err(-1), {
      random: () => 0.999,
      retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 500 },
    });
    await assert.rejects(client.syncMsg({}), (e: unknown) => e instanceof WeComApiError && e.errcode === -1);
    assert.equal(server.requests.length, 5);
    assert.deepEqual(sleeps, [99, 199, 399, 499]);
    assert.ok(logger.lines.some((l) => l.includes('giving up after 5 attempts')));
  });

  it('HTTP 5xx is retried; a persistent 5xx gives up with a typed error', async () => {
    const a = await setup((_r, i) => (i === 0 ? { status: 502, raw: 'bad gateway' } : ok()));
    await a.client.syncMsg({});
    assert.equal(a.server.requests.length, 2);
    const b = await setup(() => ({ status: 503, raw: '' }), { retry: { maxAttempts: 3 } });
    await assert.rejects(b.client.syncMsg({}), (e: unknown) => e instanceof BadResponseError && e.status === 503);
    assert.equal(b.server.requests.length, 3);
  });

  it('HTTP 4xx is not retried', async () => {
    const { server, client } = await setup(() => ({ status: 404, raw: 'no' }));
    await assert.rejects(client.syncMsg({}), (e: unknown) => e instanceof BadResponseError && e.status === 404);
    assert.equal(server.requests.length, 1);
  });

  it('a destroyed socket (connection reset) is retried', async () => {
    const { server, client } = await setup((_r, i) => (i === 0 ? { destroy: true } : ok()));
    await client.syncMsg({});
    assert.equal(server.requests.length, 2);
    const b = await setup(() => ({ destroy: true }), { retry: { maxAttempts: 2 } });
    await assert.rejects(b.client.syncMsg({}), (e: unknown) => e instanceof NetworkError && e.kind === 'retry');
    assert.equal(b.server.requests.length, 2);
  });

  it('malformed JSON is retried', async () => {
    const { server, client } = await setup((_r, i) => (i === 0 ? { raw: '{"errcode":0,' } : ok()));
    await client.syncMsg({});
    assert.equal(server.requests.length, 2);
    const b = await setup(() => ({ raw: '<html>' }), { retry: { maxAttempts: 2 } });
    await assert.rejects(b.client.syncMsg({}), (e: unknown) => e instanceof BadResponseError && e.reason === 'json');
    // A reply decoded in pieces whose list is cut or broken between its entries: retried.
    const c = await setup((_r, i) => (i === 0 ? { raw: '{"errcode":0,"has_more":false,"msg_list":[{"msgid":"a"},]}' } : ok()));
    await c.client.syncMsg({});
    assert.equal(c.server.requests.length, 2);
  });

  it('a split reply with an entry that is not JSON is refused when its messages are read, not retried', async () => {
    // Its structure is sound, so no proxy cut it: the server sent it so. The page's paging is
    // known (the next page may be asked for), its messages are not.
    const { server, client } = await setup(() => ({ raw: '{"errcode":0,"has_more":true,"next_cursor":"c2","msg_list":[{"msgid":"a"},{"msgid":"b",}]}' }));
    const page = await client.syncMsg({});
    assert.equal(server.requests.length, 1);
    assert.equal(page.nextCursor, 'c2');
    assert.equal(page.entries, 2);
    assert.throws(() => page.messages, (e: unknown) => e instanceof BadResponseError && e.reason === 'json');
  });

  it('a reply slower than the timeout is a TimeoutError, retried', async () => {
    const { server, client } = await setup((_r, i) => (i === 0 ? { ...ok(), delayMs: 400 } : ok()), { timeoutMs: 100 });
    await client.syncMsg({});
    assert.equal(server.requests.length, 2);
    const b = await setup(() => ({ ...ok(), delayMs: 400 }), { timeoutMs: 80, retry: { maxAttempts: 2 } });
    await assert.rejects(b.client.syncMsg({}), (e: unknown) => e instanceof TimeoutError && e.timeoutMs === 80);
    assert.equal(b.server.requests.length, 2);
  });

  it('other errcodes are not retried', async () => {
    for (const code of [40058, 48002, 48004, 50100, 60020, 301052, 301053, 12345]) {
      const { server, client } = await setup(() => err(code));
      await assert.rejects(client.syncMsg({}), (e: unknown) => e instanceof WeComApiError && e.errcode === code && e.kind === 'fatal');
      assert.equal(server.requests.length, 1, `errcode ${code}`);
    }
  });
});

describe('WeComClient: rate limit 45009', () => {
  it('waits out the block, reports it through onWait, then resumes', async () => {
    const waits: Array<[number, number]> = [];
    const clock = { now: () => 1_000_000 };
    const { server, client, sleeps } = await setup((_r, i) => (i === 0 ? err(45009, 'api freq out of limit') : ok()), {
      clock,
      onWait: (until, reason) => waits.push([until, reason.errcode]),
    });
    await client.syncMsg({});
    assert.equal(server.requests.length, 2);
    assert.deepEqual(waits, [[1_060_000, 45009]]);
    assert.deepEqual(sleeps, [60_000]);
  });

  it('gives up after the configured number of waits', async () => {
    let waits = 0;
    const { server, client, sleeps } = await setup(() => err(45009), {
      rateLimit: { waitMs: 5000, maxWaits: 2 },
      onWait: () => waits++,
    });
    await assert.rejects(client.syncMsg({}), (e: unknown) => e instanceof WeComApiError && e.errcode === 45009 && e.kind === 'wait');
    assert.equal(server.requests.length, 3);
    assert.equal(waits, 2);
    assert.deepEqual(sleeps, [5000, 5000]);
  });
});

class RotatingTokens implements TokenSource {
  refreshes = 0;
  private current = 1;
  async getToken(): Promise<string> {
    return `ROTATING_TOKEN_${this.current}`;
  }
  async refresh(): Promise<string> {
    this.refreshes++;
    this.current++;
    return this.getToken();
  }
  describe(): string {
    return 'rotating';
  }
  secrets(): string[] {
    return [`ROTATING_TOKEN_${this.current}`, `ROTATING_TOKEN_${this.current - 1}`];
  }
}

describe('WeComClient: token refresh', () => {
  for (const code of [42001, 40014, 40001]) {
    it(`${code} → refresh once, retry once with the new token`, async () => {
      const tokens = new RotatingTokens();
      const { server, client, logger } = await setup(
        (r) => (r.url.searchParams.get('access_token') === 'ROTATING_TOKEN_1' ? err(code, 'access_token expired') : ok()),
        { tokenSource: tokens },
      );
      await client.syncMsg({});
      assert.equal(tokens.refreshes, 1);
      assert.deepEqual(
        server.requests.map((r) => r.url.searchParams.get('access_token')),
        ['ROTATING_TOKEN_1', 'ROTATING_TOKEN_2'],
      );
      assertNoToken(logger.lines, undefined, 'ROTATING_TOKEN_1');
    });
  }

  it('a token rejected again after the refresh gives up', async () => {
    const tokens = new RotatingTokens();
    const { server, client } = await setup(() => err(42001), { tokenSource: tokens });
    await assert.rejects(client.syncMsg({}), (e: unknown) => e instanceof WeComApiError && e.errcode === 42001);
    assert.equal(tokens.refreshes, 1);
    assert.equal(server.requests.length, 2);
  });

  it('a pasted token that WeCom rejects asks the user for a new one', async () => {
    const { server, client } = await setup(() => err(40014, 'invalid access_token'));
    await assert.rejects(client.syncMsg({}), (e: unknown) => e instanceof TokenError && e.nextStep.action === 'pasteToken');
    assert.equal(server.requests.length, 1);
  });
});

describe('WeComClient: 301058 halves limit', () => {
  // Keeping the smaller limit for the later pages is the engine's (test/unit/archive/cursorLoop.test.ts).
  it('halves until the reply fits (limit ≤ 250) and says which limit it used', async () => {
    const { server, client } = await setup(tooLargeAbove(250, 2));
    const first = await client.syncMsg({ limit: 1000 });
    const second = await client.syncMsg({ cursor: first.nextCursor, limit: first.limitUsed });
    assert.deepEqual(
      [first, second].map((p) => p.limitUsed),
      [250, 250],
    );
    assert.deepEqual(
      server.requests.map((r) => (r.body as { limit: number }).limit),
      [1000, 500, 250, 250],
    );
  });

  it('halves from the server default when no limit was given', async () => {
    const { server, client } = await setup((r) => ((r.body as { limit?: number }).limit === undefined ? err(301058) : ok()));
    const page = await client.syncMsg({});
    assert.equal(page.limitUsed, 100);
    assert.deepEqual(server.requests[1]?.body, { limit: 100 });
  });

  it('gives up once limit 1 is still too large', async () => {
    const { server, client } = await setup(() => err(301058));
    await assert.rejects(client.syncMsg({ limit: 1000 }), (e: unknown) => e instanceof WeComApiError && e.errcode === 301058);
    assert.deepEqual(
      server.requests.map((r) => (r.body as { limit: number }).limit),
      [1000, 500, 250, 125, 62, 31, 15, 7, 3, 1],
    );
  });
});

describe('WeComClient: request rules are checked before any request', () => {
  const badSearches: Array<[string, SearchMsgRequest]> = [
    ['query_word.min_chars', { query_word: '欢' }],
    ['query_word.required', { query_word: '' }],
    ['chat_type.enum', { query_word: 'ab', chat_info: { chat_type: 5 } }],
    ['id_list.length', { query_word: 'ab', chat_info: { chat_type: 1, id_list: [{ open_userid: 'a' }] } }],
    ['id_list.entry', { query_word: 'ab', chat_info: { chat_type: 1, id_list: [{ open_userid: 'a' }, {}] } }],
    ['id_list.single_only', { query_word: 'ab', chat_info: { chat_type: 2, id_list: [{ open_userid: 'a' }, { open_userid: 'b' }] } }],
    ['chat_id.group_only', { query_word: 'ab', chat_info: { chat_type: 1, chat_id: 'wr', id_list: [{ open_userid: 'a' }, { open_userid: 'b' }] } }],
    ['end_time.requires_start', { query_word: 'ab', end_time: 1700000000 }],
    ['time.order', { query_word: 'ab', start_time: 1700000000, end_time: 1700000000 }],
    ['time.span', { query_word: 'ab', start_time: 1700000000, end_time: 1700000000 + 30 * 86400 + 1 }],
    ['time.integer', { query_word: 'ab', start_time: -5 }],
    ['limit.range', { query_word: 'ab', limit: 101 }],
  ];
  for (const [rule, request] of badSearches) {
    it(`search_msg ${rule}`, async () => {
      const { server, client } = await setup(() => ok());
      await assert.rejects(client.searchMsg(request), (e: unknown) => e instanceof RequestRuleError && e.violations.some((v) => v.rule === rule));
      assert.equal(server.requests.length, 0);
    });
  }

  const badSyncs: Array<[string, { cursor?: string; token?: string; limit?: number }]> = [
    ['limit.range', { limit: 1001 }],
    ['limit.range', { limit: 0 }],
    ['cursor.max_bytes', { cursor: 'c'.repeat(129) }],
    ['token.max_bytes', { token: '会'.repeat(43) }],
  ];
  for (const [rule, request] of badSyncs) {
    it(`sync_msg ${rule} ${JSON.stringify(request).length}`, async () => {
      const { server, client } = await setup(() => ok());
      await assert.rejects(client.syncMsg(request), (e: unknown) => e instanceof RequestRuleError && e.violations[0]?.rule === rule);
      assert.equal(server.requests.length, 0);
    });
  }
});

describe('WeComClient: base URL', () => {
  const tokenSource = new StaticTokenSource({ token: TOKEN });
  it('refuses plain http: to non-loopback hosts before any request', () => {
    for (const baseUrl of ['http://qyapi.weixin.qq.com', 'http://10.0.0.1:8080', 'http://[::2]/', 'ftp://127.0.0.1', 'not a url']) {
      assert.throws(() => new WeComClient({ tokenSource, baseUrl }), (e: unknown) => e instanceof ConfigError && e.setting === 'baseUrl', baseUrl);
    }
  });
  it('allows https: anywhere and http: on loopback', async () => {
    for (const baseUrl of ['https://qyapi.weixin.qq.com', 'http://127.0.0.1:1', 'http://127.8.9.10', 'http://localhost:3000', 'http://[::1]:9']) {
      const client = new WeComClient({ tokenSource, baseUrl, env: {} });
      assert.ok(client.describe().includes('direct'));
      await client.close();
    }
    const defaulted = new WeComClient({ tokenSource, env: {} });
    assert.match(defaulted.describe(), /^https:\/\/qyapi\.weixin\.qq\.com /);
    await defaulted.close();
  });
});

describe('WeComClient: cancellation', () => {
  it('aborting while the server delays ends the call at once with CancelledError', async () => {
    const { server, client } = await setup(() => ({ ...ok(), delayMs: 3000 }), { timeoutMs: 10_000 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(client.syncMsg({}, controller.signal), CancelledError);
    assert.ok(Date.now() - started < 1000);
    assert.equal(server.requests.length, 1);
  });

  it('aborting during a backoff sleep stops the retries', async () => {
    const { server, client } = await setup(() => err(-1), { sleep: realSleep, retry: { baseDelayMs: 10_000 }, random: () => 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await assert.rejects(client.syncMsg({}, controller.signal), CancelledError);
    assert.ok(Date.now() - started < 1000);
    assert.equal(server.requests.length, 1);
  });

  it('an already-aborted signal sends nothing', async () => {
    const { server, client } = await setup(() => ok());
    await assert.rejects(client.searchMsg({ query_word: 'ab' }, AbortSignal.abort()), CancelledError);
    assert.equal(server.requests.length, 0);
  });
});

describe('WeComClient: token redaction', () => {
  it('no log line or error carries the access token, whatever happens', async () => {
    const script = [
      err(-1, `busy, token=${TOKEN}`),
      { destroy: true },
      { raw: 'not json' },
      { status: 500, raw: `oops ${TOKEN}` },
      err(45009),
      err(301058),
      ok({ has_more: 0, msg_list: [message('m'), { nomsgid: true }] }),
      err(48002, `no permission for access_token=${TOKEN}`),
    ];
    const { client, logger } = await setup((_r, i) => script[i] ?? err(-1), { retry: { maxAttempts: 10 } });
    assert.equal((await client.syncMsg({ limit: 10 })).messages.length, 1); // read: the dropped entry is logged
    let caught: unknown;
    try {
      await client.syncMsg({ limit: 10 });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof WeComApiError && caught.errcode === 48002);
    assert.ok(logger.lines.length > 10);
    assert.ok(logger.lines.some((l) => l.includes('dropped 1 msg_list')));
    assertNoToken(logger.lines, caught);
  });

  it('errors from a timeout and a refused connection carry no token', async () => {
    const { client, logger } = await setup(() => ({ ...ok(), delayMs: 300 }), { timeoutMs: 50, retry: { maxAttempts: 1 } });
    const timeout = await client.syncMsg({}).catch((e: unknown) => e);
    assert.ok(timeout instanceof TimeoutError);
    assertNoToken(logger.lines, timeout);
    const server: ScriptedServer = await startServer(() => ok());
    const deadUrl = server.url;
    await server.close();
    const refused = new WeComClient({
      tokenSource: new StaticTokenSource({ token: TOKEN }),
      baseUrl: deadUrl,
      env: {},
      logger,
      sleep: instantSleep().sleep,
      retry: { maxAttempts: 2 },
    });
    open.push(refused);
    const error = await refused.syncMsg({}).catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError && error.code === 'ECONNREFUSED');
    assertNoToken(logger.lines, error);
  });
});
