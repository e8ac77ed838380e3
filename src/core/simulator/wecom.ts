// WeCom's own endpoints: authentication, rate limits and dispatch to the handlers. Each returns
// the JSON body of an HTTP 200 reply or throws ApiError.
import { ApiError, ErrCode } from './errors';
import type { SuiteCredentials } from './options';
import { parseBody } from './params';
import type { RateGuard } from './ratelimit';
import { parseSearchRequest, searchPage } from './searchMsg';
import type { Simulation } from './simulation';
import { getCorpToken, getPermanentCode, getSuiteToken } from './suite';
import { parseSyncRequest, syncPage } from './syncMsg';
import type { TokenBook } from './tokens';

export interface WecomContext {
  readonly sim: Simulation;
  readonly corpTokens: TokenBook;
  readonly suiteTokens: TokenBook;
  readonly callbackTokens: TokenBook;
  readonly rate: RateGuard;
  readonly suite: SuiteCredentials;
  readonly maxReplyMessages: number | undefined;
  /** Suite tickets pushed by callbacks (shared by every corp; the configured ticket is always valid). */
  readonly suiteTickets?: TokenBook;
  /** The corp an auth code of create_auth stands for (shared; once per code). */
  readonly exchangeAuthCode?: (authCode: string) => { permanentCode: string; corpId: string; corpName: string } | undefined;
  /** The corp cancelled its authorization: its calls answer 48004. */
  readonly authorization: { revoked: boolean };
  /** Told which callback token each sync_msg carried (for /_sim/stats). */
  readonly onSyncToken?: (state: 'valid' | 'invalid' | 'none') => void;
}

export interface WecomRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly raw: string;
}

/** The reply body; sync_msg also says how many messages it holds (the latency per message). */
export type HandlerReply = string | { body: string; messages: number };
type Handler = (ctx: WecomContext, req: WecomRequest) => HandlerReply;

export const SYNC_PATH = '/cgi-bin/chatdata/sync_msg';
export const SEARCH_PATH = '/cgi-bin/chatdata/search_msg';
export const SET_PUBLIC_KEY_PATH = '/cgi-bin/chatdata/set_public_key';
export const SUITE_TOKEN_PATH = '/cgi-bin/service/get_suite_token';
export const CORP_TOKEN_PATH = '/cgi-bin/service/get_corp_token';
export const PERMANENT_CODE_PATH = '/cgi-bin/service/get_permanent_code';

function requireAccessToken(ctx: WecomContext, query: URLSearchParams): void {
  const token = query.get('access_token');
  if (!token) throw new ApiError(ErrCode.missingAccessToken, 'access_token missing');
  if (ctx.authorization.revoked) throw new ApiError(ErrCode.authCancelled);
  const state = ctx.corpTokens.check(token);
  if (state === 'expired') throw new ApiError(ErrCode.accessTokenExpired);
  if (state === 'unknown') throw new ApiError(ErrCode.invalidAccessToken);
}

const syncMsg: Handler = (ctx, req) => {
  requireAccessToken(ctx, req.query);
  const sync = parseSyncRequest(parseBody(req.raw));
  // An invalid or expired callback token is treated like no token: the strict limit applies.
  const state = sync.token === undefined ? 'none' : ctx.callbackTokens.check(sync.token) === 'valid' ? 'valid' : 'invalid';
  ctx.onSyncToken?.(state);
  ctx.rate.admit(req.path, state !== 'valid');
  return syncPage(ctx.sim, sync, ctx.maxReplyMessages);
};

const searchMsg: Handler = (ctx, req) => {
  requireAccessToken(ctx, req.query);
  const search = parseSearchRequest(ctx.sim, parseBody(req.raw));
  ctx.rate.admit(req.path, false);
  return searchPage(ctx.sim, search);
};

const setPublicKey: Handler = (ctx, req) => {
  requireAccessToken(ctx, req.query);
  const body = parseBody(req.raw);
  ctx.rate.admit(req.path, false);
  // Messages created from now on use the new key; older ones keep the key of their send time.
  ctx.sim.keys.setPublicKey(body.public_key, body.public_key_ver, ctx.sim.store.length);
  return '{"errcode":0,"errmsg":"ok"}';
};

const suiteToken: Handler = (ctx, req) => getSuiteToken(parseBody(req.raw), ctx.suite, ctx.suiteTokens, ctx.suiteTickets);

const permanentCode: Handler = (ctx, req) =>
  getPermanentCode(req.query.get('suite_access_token'), parseBody(req.raw), ctx.suiteTokens, ctx.exchangeAuthCode);

const corpToken: Handler = (ctx, req) => {
  if (ctx.authorization.revoked) throw new ApiError(ErrCode.authCancelled);
  return getCorpToken(req.query.get('suite_access_token'), parseBody(req.raw), ctx.suite, ctx.suiteTokens, ctx.corpTokens);
};

export const WECOM_ROUTES: ReadonlyMap<string, Handler> = new Map([
  [SYNC_PATH, syncMsg],
  [SEARCH_PATH, searchMsg],
  [SET_PUBLIC_KEY_PATH, setPublicKey],
  [SUITE_TOKEN_PATH, suiteToken],
  [CORP_TOKEN_PATH, corpToken],
  [PERMANENT_CODE_PATH, permanentCode],
]);
