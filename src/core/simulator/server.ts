// startSimulator: builds the simulated corps, then serves WeCom's endpoints and the /_sim/ control
// endpoints on 127.0.0.1, optionally with network latency. Everything controllable over HTTP is
// also a function on the result.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { CallbackPusher } from './callbacks';
import { SimClock } from './clock';
import { type SimulatorControl, handleControl } from './control';
import type { RawMessageInput } from './rawMessages';
import { ApiError, ErrCode, errorBody } from './errors';
import { type FaultRule, FaultPlan } from './faults';
import type { MessageOverride } from './generator';
import { BodyTooLarge, readBody, send, sendJson } from './http';
import type { MessageSecret } from './keys';
import { type CorpOptions, DEFAULTS, type SimulatorOptions, type SuiteCredentials } from './options';
import { parseBody } from './params';
import { DEFAULT_RATE_LIMITS, RateGuard } from './ratelimit';
import { type SimMessage, Simulation } from './simulation';
import { type SimStats, StatsCounter } from './stats';
import { TokenBook } from './tokens';
import { CORP_TOKEN_PATH, type HandlerReply, WECOM_ROUTES, type WecomContext } from './wecom';

/** One simulated corp and its control functions. */
export interface RunningCorp extends SimulatorControl {
  /** A currently valid corp access token (a fresh one once the previous expired). */
  readonly accessToken: string;
  readonly corpId: string;
  /** The suite chain to this corp (the suite is shared; auth_corpid and permanent_code are the corp's). */
  readonly suite: SuiteCredentials;
  readonly seed: number;
  /** This corp's callback token service: GET returns `{token, expires_at}` (Unix seconds). */
  readonly callbackTokenUrl: string;
  publicKeyVersion(): number;
  messageCount(): number;
  /** Messages with from <= send_time <= to, ascending, with their searchable content. */
  listMessages(from?: number, to?: number): SimMessage[];
  /** The corp's parties and groups (not part of WeCom's reply; for demo display and tests). */
  directory(): SimDirectory;
}

/** The simulator: its first corp's functions at the top level, every corp in `corps`. */
export interface RunningSimulator extends RunningCorp {
  /** `http://127.0.0.1:PORT` — use as the API base URL. */
  readonly url: string;
  readonly port: number;
  readonly corps: readonly RunningCorp[];
  corp(corpId: string): RunningCorp | undefined;
  /** A new corp authorizes the suite: WeCom pushes create_auth with this auth code. */
  authorize(): Promise<{ corpId: string; authCode: string }>;
  /** The corp cancels its authorization: its calls answer 48004, and cancel_auth is pushed. */
  cancelAuthorization(corpId: string): boolean;
  /** WeCom pushes `change_auth` (or `hit_keyword`) for the corp; false for a corp it does not know. */
  pushEvent(kind: 'change_auth' | 'hit_keyword', corpId: string): boolean;
  /** What the callback pusher delivered (undefined without `callbacks`). */
  callbackStats(): ReturnType<CallbackPusher['stats']> | undefined;
  close(): Promise<void>;
}

export interface SimDirectory {
  parties: { type: number; id: string; name: string }[];
  groups: { chatid: string; name: string; members: string[] }[];
}

/** A pushed suite_ticket is valid 30 minutes (docs/wecom-api.md §1). */
const SUITE_TICKET_TTL = 1800;
/** create_auth's auth code must be exchanged within 10 minutes. */
const AUTH_CODE_TTL_MS = 600_000;

/** Loopback only: the control endpoints must never be reachable from elsewhere. */
export const HOST = '127.0.0.1';

/** One corp's state behind the shared server. */
interface CorpHost {
  readonly sim: Simulation;
  readonly ctx: WecomContext;
  readonly faultPlan: FaultPlan;
  readonly counters: StatsCounter;
  readonly api: RunningCorp;
  readonly arrivalTimer: NodeJS.Timeout | undefined;
}

function corpOptionsOf(options: SimulatorOptions): CorpOptions[] {
  const first: CorpOptions = {};
  const extra = options.corps;
  const more: CorpOptions[] = typeof extra === 'number' ? Array.from({ length: Math.max(0, extra - 1) }, () => ({})) : (extra ?? []);
  return [first, ...more];
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const baseSeed = options.seed ?? DEFAULTS.seed;
  const callbackTtl = options.callbackTokenTtl ?? DEFAULTS.callbackTokenTtl;
  const pending = new Set<NodeJS.Timeout>();
  let server: Server | undefined;
  let port = 0;
  const url = () => `http://${HOST}:${port}`;
  const latency = { fixedMs: Math.max(0, options.latency?.fixedMs ?? 0), perMessageMs: Math.max(0, options.latency?.perMessageMs ?? 0) };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        pending.delete(t);
        resolve();
      }, ms);
      pending.add(t);
    });

  // The suite is the provider's, one for every corp: its tokens and pushed tickets are shared.
  let suiteTokens: TokenBook | undefined;
  let suiteTickets: TokenBook | undefined;
  let pusher: CallbackPusher | undefined;
  /** Auth codes of create_auth not yet exchanged: code → the corp and when the code expires (ms). */
  const authCodes = new Map<string, { corp: CorpHost; expiresAt: number }>();
  const exchangeAuthCode = (code: string) => {
    const grant = authCodes.get(code);
    authCodes.delete(code);
    if (!grant || grant.expiresAt < Date.now()) return undefined;
    const { suite, sim } = grant.corp.ctx;
    return { permanentCode: suite.permanentCode, corpId: sim.corp.corpid, corpName: `Simulated corp ${sim.corp.corpid}` };
  };
  const createCorp = async (o: CorpOptions, index: number): Promise<CorpHost> => {
    const seed = o.seed ?? baseSeed + index;
    const clock = new SimClock(o.startTime ?? options.startTime, o.clockOffsetSeconds ?? options.clockOffsetSeconds ?? 0, options.frozenClock === true);
    const sim = await Simulation.create(clock, {
      seed,
      messages: o.messages ?? options.messages ?? DEFAULTS.messages,
      days: o.days ?? options.days ?? DEFAULTS.days,
      corpSize: options.corpSize,
      initialPublicKey: options.publicKey && { publicKeyPem: options.publicKey.pem, version: options.publicKey.version },
    });
    const suite: SuiteCredentials =
      index === 0
        ? { ...DEFAULTS.suite, authCorpId: sim.corp.corpid, ...options.suite }
        : { ...DEFAULTS.suite, ...options.suite, authCorpId: sim.corp.corpid, permanentCode: `${DEFAULTS.suite.permanentCode.slice(0, -4)}${String(index).padStart(4, '0')}` };
    suiteTokens ??= new TokenBook(clock, DEFAULTS.suiteTokenTtl, 64);
    suiteTickets ??= new TokenBook(clock, SUITE_TICKET_TTL, 43);
    const counters = new StatsCounter();
    const ctx: WecomContext = {
      sim,
      corpTokens: new TokenBook(clock, options.accessTokenTtl ?? DEFAULTS.accessTokenTtl, 64),
      suiteTokens,
      suiteTickets,
      exchangeAuthCode,
      authorization: { revoked: false },
      callbackTokens: new TokenBook(clock, callbackTtl, 43),
      rate: new RateGuard(clock, { ...DEFAULT_RATE_LIMITS, ...options.rateLimits }),
      suite,
      maxReplyMessages: options.maxReplyMessages,
      onSyncToken: (state) => counters.syncToken(state),
    };
    ctx.corpTokens.issue();
    const faultPlan = new FaultPlan(seed);
    faultPlan.set(index === 0 ? (options.faults ?? []) : []);
    const query = `?corpid=${encodeURIComponent(sim.corp.corpid)}`;
    // New messages: WeCom tells the provider (conversation_new_message) when callbacks are on.
    const arrived = (msgids: string[]): string[] => {
      if (msgids.length > 0) pusher?.newMessages(sim.corp.corpid, () => ctx.callbackTokens.mint().token);
      return msgids;
    };
    const api: RunningCorp = {
      get accessToken() {
        return ctx.corpTokens.issue().token;
      },
      corpId: sim.corp.corpid,
      suite,
      seed,
      get callbackTokenUrl() {
        return `${url()}/_sim/callback-token${query}`;
      },
      mintCallbackToken: () => ctx.callbackTokens.mint().token,
      issueCallbackToken: () => ctx.callbackTokens.mint(),
      issueAccessToken: () => ctx.corpTokens.issue(),
      addMessages: (count: number, override?: MessageOverride) => arrived(sim.addMessages(count, override)),
      addRawMessages: (list: RawMessageInput[]) => arrived(sim.addRawMessages(list)),
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
        url: url(),
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
        token_service_url: `${url()}/_sim/token-service${query}`,
        callback_token_url: `${url()}/_sim/callback-token${query}`,
      }),
    };
    const arrivalTimer = startArrivals(o.ratePerMinute ?? options.ratePerMinute ?? DEFAULTS.ratePerMinute, (n) => arrived(sim.addMessages(n)));
    return { sim, ctx, faultPlan, counters, api, arrivalTimer };
  };

  const corps: CorpHost[] = [];
  for (const [i, o] of corpOptionsOf(options).entries()) corps.push(await createCorp(o, i));
  const first = corps[0]!;
  if (options.callbacks) pusher = new CallbackPusher(options.callbacks, first.ctx.suite.suiteId, () => suiteTickets!.mint().token);

  const authorize = async (): Promise<{ corpId: string; authCode: string }> => {
    const corp = await createCorp({}, corps.length);
    corps.push(corp);
    own.corps.push(corp.api);
    const authCode = randomBytes(24).toString('base64url');
    authCodes.set(authCode, { corp, expiresAt: Date.now() + AUTH_CODE_TTL_MS });
    pusher?.authorized(authCode);
    return { corpId: corp.api.corpId, authCode };
  };
  const cancelAuthorization = (corpId: string): boolean => {
    const corp = corps.find((c) => c.api.corpId === corpId);
    if (!corp) return false;
    corp.ctx.authorization.revoked = true;
    pusher?.cancelled(corpId);
    return true;
  };

  const pushEvent = (kind: 'change_auth' | 'hit_keyword', corpId: string): boolean => {
    if (!corps.some((c) => c.api.corpId === corpId)) return false;
    if (kind === 'change_auth') pusher?.changed(corpId);
    else pusher?.keywordHit(corpId);
    return true;
  };

  /** The corp a WeCom request is for: by its access token, or (get_corp_token) its auth_corpid. */
  const route = (path: string, url: URL, raw: string): CorpHost => {
    if (corps.length === 1) return first;
    if (path === CORP_TOKEN_PATH) {
      try {
        const authCorpId = parseBody(raw).auth_corpid;
        return corps.find((c) => c.ctx.suite.authCorpId === authCorpId) ?? first;
      } catch {
        return first;
      }
    }
    const token = url.searchParams.get('access_token');
    return (token && corps.find((c) => c.ctx.corpTokens.check(token) !== 'unknown')) || first;
  };

  const replyError = (res: ServerResponse, corp: CorpHost, e: ApiError): void => {
    corp.counters.errcode(e.errcode);
    send(res, 200, errorBody(e.errcode, e.errmsg));
  };

  /** Applies a fault; returns true when the request is finished (nothing more to do). */
  const applyFault = async (corp: CorpHost, rule: FaultRule, path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    corp.counters.fault(rule.kind);
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
        if (code === ErrCode.rateLimited) corp.ctx.rate.block(path);
        replyError(res, corp, new ApiError(code));
        return true;
      }
    }
  };

  const handleWecom = async (req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<void> => {
    const path = url.pathname;
    const corp = route(path, url, raw);
    // Every path is counted; the 1-based call number per path is what fault rules' `calls` match.
    const call = corp.counters.request(path);
    const handler = WECOM_ROUTES.get(path);
    if (handler === undefined) {
      send(res, 404, errorBody(404, `unknown api path ${path}`));
      return;
    }
    const fault = corp.faultPlan.decide(path, call);
    if (fault && (await applyFault(corp, fault, path, req, res))) return;
    if (req.method !== 'POST') {
      replyError(res, corp, new ApiError(ErrCode.requirePost, 'require POST method'));
      return;
    }
    let reply: HandlerReply;
    try {
      reply = handler(corp.ctx, { path, query: url.searchParams, raw });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (latency.fixedMs > 0) await sleep(latency.fixedMs);
      replyError(res, corp, e);
      return;
    }
    const body = typeof reply === 'string' ? reply : reply.body;
    const delay = latency.fixedMs + latency.perMessageMs * (typeof reply === 'string' ? 0 : reply.messages);
    if (delay > 0) await sleep(delay);
    corp.counters.errcode(0);
    send(res, 200, body);
  };

  const own = {
    get url() {
      return url();
    },
    get port() {
      return port;
    },
    corps: corps.map((c) => c.api),
    authorize,
    cancelAuthorization,
    pushEvent,
    callbackStats: () => pusher?.stats(),
    corp: (corpId: string) => corps.find((c) => c.api.corpId === corpId)?.api,
    close: async () => {
      for (const c of corps) clearInterval(c.arrivalTimer);
      pusher?.close();
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
  // Descriptors, not values: the first corp's getters (accessToken) must stay getters.
  const running = Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(first.api), ...Object.getOwnPropertyDescriptors(own) }) as RunningSimulator;

  /** Simulator-wide control routes (not per corp): authorizations and the callbacks' delivery. */
  const handleSuiteControl = async (method: string, url: URL, res: ServerResponse): Promise<boolean> => {
    const route = `${method} ${url.pathname}`;
    if (route === 'POST /_sim/authorize') {
      const { corpId, authCode } = await authorize();
      sendJson(res, 200, { corpid: corpId, auth_code: authCode });
    } else if (route === 'POST /_sim/cancel-auth') {
      const corpId = url.searchParams.get('corpid') ?? '';
      if (cancelAuthorization(corpId)) sendJson(res, 200, { corpid: corpId });
      else sendJson(res, 404, { error: 'unknown corpid' });
    } else if (route === 'POST /_sim/change-auth' || route === 'POST /_sim/hit-keyword') {
      const corpId = url.searchParams.get('corpid') ?? '';
      if (pushEvent(route === 'POST /_sim/change-auth' ? 'change_auth' : 'hit_keyword', corpId)) sendJson(res, 200, { corpid: corpId });
      else sendJson(res, 404, { error: 'unknown corpid' });
    } else if (route === 'GET /_sim/callbacks') {
      sendJson(res, 200, pusher ? pusher.stats() : { error: 'callbacks are off (start with a callback URL)' });
    } else {
      return false;
    }
    return true;
  };

  server = createServer({ keepAlive: true }, (req, res) => {
    // The socket is bound to loopback, so remoteAddress is always local; refuse anything else anyway.
    const remote = req.socket.remoteAddress ?? '';
    if (remote !== '127.0.0.1' && remote !== '::ffff:127.0.0.1') {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    readBody(req)
      .then(async (raw) => {
        if (await handleSuiteControl(req.method ?? 'GET', url, res)) return;
        if (url.pathname.startsWith('/_sim/')) {
          const corpId = url.searchParams.get('corpid');
          const corp = corpId === null ? first : corps.find((c) => c.api.corpId === corpId);
          if (!corp) {
            send(res, 404, JSON.stringify({ error: 'unknown corpid' }));
            return;
          }
          corp.counters.request(url.pathname);
          handleControl(corp.api, { tokenServiceSecret: options.tokenServiceSecret, callbackTokenTtl: callbackTtl, corps: () => corps.map((c) => c.api.info()) }, req, res, url, raw);
        } else {
          await handleWecom(req, res, url, raw);
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
