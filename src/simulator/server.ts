// startSimulator: builds the simulated corp, then serves WeCom's endpoints and the /_sim/ control
// endpoints on 127.0.0.1. Everything controllable over HTTP is also a function on the result.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimClock } from './clock';
import { type SimulatorControl, handleControl } from './control';
import type { RawMessageInput } from './rawMessages';
import { ApiError, ErrCode, errorBody } from './errors';
import { type FaultRule, FaultPlan } from './faults';
import type { MessageOverride } from './generator';
import { BodyTooLarge, readBody, send } from './http';
import type { MessageSecret } from './keys';
import { DEFAULTS, type SimulatorOptions, type SuiteCredentials } from './options';
import { DEFAULT_RATE_LIMITS, RateGuard } from './ratelimit';
import { type SimMessage, Simulation } from './simulation';
import { type SimStats, StatsCounter } from './stats';
import { TokenBook } from './tokens';
import { WECOM_ROUTES, type WecomContext } from './wecom';

export interface RunningSimulator extends SimulatorControl {
  /** `http://127.0.0.1:PORT` — use as the API base URL. */
  readonly url: string;
  readonly port: number;
  /** A currently valid corp access token (a fresh one once the previous expired). */
  readonly accessToken: string;
  readonly corpId: string;
  readonly suite: SuiteCredentials;
  readonly seed: number;
  publicKeyVersion(): number;
  messageCount(): number;
  /** Messages with from <= send_time <= to, ascending, with their searchable content. */
  listMessages(from?: number, to?: number): SimMessage[];
  /** The corp's parties and groups (not part of WeCom's reply; for demo display and tests). */
  directory(): SimDirectory;
  close(): Promise<void>;
}

export interface SimDirectory {
  parties: { type: number; id: string; name: string }[];
  groups: { chatid: string; name: string; members: string[] }[];
}

/** Loopback only: the control endpoints must never be reachable from elsewhere. */
export const HOST = '127.0.0.1';

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seed = options.seed ?? DEFAULTS.seed;
  const clock = new SimClock(options.startTime, options.clockOffsetSeconds ?? 0, options.frozenClock === true);
  const sim = await Simulation.create(clock, {
    seed,
    messages: options.messages ?? DEFAULTS.messages,
    days: options.days ?? DEFAULTS.days,
    corpSize: options.corpSize,
    initialPublicKey: options.publicKey && { publicKeyPem: options.publicKey.pem, version: options.publicKey.version },
  });
  const suite: SuiteCredentials = { ...DEFAULTS.suite, authCorpId: sim.corp.corpid, ...options.suite };
  const callbackTtl = options.callbackTokenTtl ?? DEFAULTS.callbackTokenTtl;
  const ctx: WecomContext = {
    sim,
    corpTokens: new TokenBook(clock, options.accessTokenTtl ?? DEFAULTS.accessTokenTtl, 64),
    suiteTokens: new TokenBook(clock, DEFAULTS.suiteTokenTtl, 64),
    callbackTokens: new TokenBook(clock, callbackTtl, 43),
    rate: new RateGuard(clock, { ...DEFAULT_RATE_LIMITS, ...options.rateLimits }),
    suite,
    maxReplyMessages: options.maxReplyMessages,
  };
  ctx.corpTokens.issue();
  const faultPlan = new FaultPlan(seed);
  faultPlan.set(options.faults ?? []);
  const counters = new StatsCounter();
  const pending = new Set<NodeJS.Timeout>();
  let server: Server | undefined;
  let port = 0;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        pending.delete(t);
        resolve();
      }, ms);
      pending.add(t);
    });

  const replyError = (res: ServerResponse, e: ApiError): void => {
    counters.errcode(e.errcode);
    send(res, 200, errorBody(e.errcode, e.errmsg));
  };

  /** Applies a fault; returns true when the request is finished (nothing more to do). */
  const applyFault = async (rule: FaultRule, path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    counters.fault(rule.kind);
    switch (rule.kind) {
      case 'reset':
        req.socket.destroy();
        return true;
      case 'http5xx':
        send(res, rule.status ?? 503, '<html><body>Service Unavailable</body></html>', 'text/html');
        return true;
      case 'malformed':
        send(res, 200, '{"errcode":0,"errmsg":"ok","has_more":tr');
        return true;
      case 'delay':
        await sleep(rule.delayMs ?? 0);
        return res.destroyed;
      case 'errcode': {
        const code = rule.errcode ?? ErrCode.busy;
        if (code === ErrCode.rateLimited) ctx.rate.block(path);
        replyError(res, new ApiError(code));
        return true;
      }
    }
  };

  const handleWecom = async (req: IncomingMessage, res: ServerResponse, url: URL, raw: string, call: number): Promise<void> => {
    const path = url.pathname;
    const handler = WECOM_ROUTES.get(path);
    if (handler === undefined) {
      send(res, 404, errorBody(404, `unknown api path ${path}`));
      return;
    }
    const fault = faultPlan.decide(path, call);
    if (fault && (await applyFault(fault, path, req, res))) return;
    if (req.method !== 'POST') {
      replyError(res, new ApiError(ErrCode.requirePost, 'require POST method'));
      return;
    }
    try {
      const body = handler(ctx, { path, query: url.searchParams, raw });
      counters.errcode(0);
      send(res, 200, body);
    } catch (e) {
      if (e instanceof ApiError) replyError(res, e);
      else throw e;
    }
  };

  const running: RunningSimulator = {
    get url() {
      return `http://${HOST}:${port}`;
    },
    get port() {
      return port;
    },
    get accessToken() {
      return ctx.corpTokens.issue().token;
    },
    corpId: sim.corp.corpid,
    suite,
    seed,
    mintCallbackToken: () => ctx.callbackTokens.mint().token,
    issueAccessToken: () => ctx.corpTokens.issue(),
    addMessages: (count: number, override?: MessageOverride) => sim.addMessages(count, override),
    addRawMessages: (list: RawMessageInput[]) => sim.addRawMessages(list),
    advanceClock: (seconds: number) => clock.advance(seconds),
    now: () => clock.now(),
    setFaults: (rules: FaultRule[]) => faultPlan.set(rules),
    faults: () => faultPlan.list(),
    stats: (): SimStats => counters.snapshot(sim.store.length, clock.now()),
    message: (msgid: string) => {
      const i = sim.indexOf(msgid);
      return i < 0 ? undefined : sim.message(i);
    },
    secretOf: (msgid: string): MessageSecret | undefined => sim.secretOf(msgid),
    privateKeyPem: (version?: number) => sim.keys.privateKeyPem(version),
    publicKeyVersion: () => sim.keys.currentVersion,
    messageCount: () => sim.store.length,
    listMessages: (from?: number, to?: number) => sim.listMessages(from, to),
    directory: () => ({
      parties: sim.corp.parties.map((p) => ({ type: p.type, id: p.id, name: p.name })),
      groups: sim.corp.conversations
        .filter((c) => c.kind === 'group')
        .map((c) => ({
          chatid: c.chatid ?? '',
          name: c.name,
          members: Array.from(c.members, (m) => sim.corp.parties[m]!.id),
        })),
    }),
    info: () => ({
      url: running.url,
      port,
      corpid: sim.corp.corpid,
      seed,
      messages: sim.store.length,
      public_key_ver: sim.keys.currentVersion,
      suite_id: suite.suiteId,
      suite_secret: suite.suiteSecret,
      suite_ticket: suite.suiteTicket,
      auth_corpid: suite.authCorpId,
      permanent_code: suite.permanentCode,
      token_service_url: `${running.url}/_sim/token-service`,
    }),
    close: async () => {
      clearInterval(arrivalTimer);
      for (const t of pending) clearTimeout(t);
      pending.clear();
      const s = server;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
  };

  server = createServer({ keepAlive: true }, (req, res) => {
    // The socket is bound to loopback, so remoteAddress is always local; refuse anything else anyway.
    const remote = req.socket.remoteAddress ?? '';
    if (remote !== '127.0.0.1' && remote !== '::ffff:127.0.0.1') {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    // Every path is counted; the 1-based call number per path is what fault rules' `calls` match.
    const call = counters.request(url.pathname);
    readBody(req)
      .then(async (raw) => {
        if (url.pathname.startsWith('/_sim/')) {
          handleControl(running, { tokenServiceSecret: options.tokenServiceSecret, callbackTokenTtl: callbackTtl }, req, res, url, raw);
        } else {
          await handleWecom(req, res, url, raw, call);
        }
      })
      .catch((e: unknown) => {
        if (e instanceof BodyTooLarge) {
          send(res, 200, errorBody(ErrCode.dataFormatError, 'data format error: request body too large'));
        } else {
          send(res, 500, errorBody(-1, `simulator error: ${e instanceof Error ? e.message : String(e)}`));
        }
      });
  });

  const arrivalTimer = startArrivals(options.ratePerMinute ?? DEFAULTS.ratePerMinute, (n) => sim.addMessages(n));
  const s = server;
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(options.port ?? DEFAULTS.port, HOST, () => {
      s.off('error', reject);
      resolve();
    });
  });
  port = (s.address() as AddressInfo).port;
  return running;
}

/** New messages at `perMinute` (fractional rates accumulate). The timer never keeps Node alive. */
function startArrivals(perMinute: number, add: (n: number) => void): NodeJS.Timeout | undefined {
  if (!(perMinute > 0)) return undefined;
  let due = 0;
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    due += (perMinute * (now - last)) / 60_000;
    last = now;
    const n = Math.floor(due);
    if (n > 0) {
      due -= n;
      add(n);
    }
  }, 1000);
  timer.unref();
  return timer;
}
