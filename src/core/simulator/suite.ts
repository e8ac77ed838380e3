// The provider token chain (docs/wecom-api.md §1): suite_ticket → suite_access_token → corp access_token.
// The configured suite_ticket never expires here; a pushed one (callbacks.ts) is valid for 30
// minutes, as WeCom's are; any other ticket is refused with 40085.
import { ApiError, ErrCode } from './errors';
import type { SuiteCredentials } from './options';
import type { Body } from './params';
import type { TokenBook } from './tokens';

export function getSuiteToken(body: Body, creds: SuiteCredentials, suiteTokens: TokenBook, pushedTickets?: TokenBook): string {
  if (body.suite_id !== creds.suiteId) throw new ApiError(ErrCode.invalidSuiteId, 'invalid suite_id');
  if (body.suite_secret !== creds.suiteSecret) throw new ApiError(ErrCode.invalidSecret, 'invalid credential: suite_secret');
  const ticket = typeof body.suite_ticket === 'string' ? body.suite_ticket : '';
  if (ticket !== creds.suiteTicket && pushedTickets?.check(ticket) !== 'valid') throw new ApiError(ErrCode.invalidSuiteTicket, 'invalid suite_ticket');
  const { token, expiresIn } = suiteTokens.issue();
  return JSON.stringify({ errcode: 0, errmsg: 'ok', suite_access_token: token, expires_in: expiresIn });
}

/** The suite_access_token of a service API call: missing, expired and unknown each have their errcode. */
function requireSuiteToken(suiteToken: string | null, suiteTokens: TokenBook): void {
  if (!suiteToken) throw new ApiError(ErrCode.missingSuiteToken, 'suite_access_token missing');
  const state = suiteTokens.check(suiteToken);
  if (state === 'expired') throw new ApiError(ErrCode.suiteTokenExpired, 'suite_access_token expired');
  if (state === 'unknown') throw new ApiError(ErrCode.invalidSuiteToken, 'invalid suite_access_token');
}

export function getCorpToken(
  suiteToken: string | null,
  body: Body,
  creds: SuiteCredentials,
  suiteTokens: TokenBook,
  corpTokens: TokenBook,
): string {
  requireSuiteToken(suiteToken, suiteTokens);
  if (body.auth_corpid !== creds.authCorpId) throw new ApiError(ErrCode.invalidCorpId, 'invalid corpid: auth_corpid');
  if (body.permanent_code !== creds.permanentCode) {
    throw new ApiError(ErrCode.invalidPermanentCode, 'invalid permanent_code');
  }
  const { token, expiresIn } = corpTokens.issue();
  return JSON.stringify({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: expiresIn });
}

/** get_permanent_code: the corp an auth code (from create_auth) stands for, once. */
export function getPermanentCode(
  suiteToken: string | null,
  body: Body,
  suiteTokens: TokenBook,
  exchange: ((authCode: string) => { permanentCode: string; corpId: string; corpName: string } | undefined) | undefined,
): string {
  requireSuiteToken(suiteToken, suiteTokens);
  const granted = typeof body.auth_code === 'string' ? exchange?.(body.auth_code) : undefined;
  if (!granted) throw new ApiError(ErrCode.invalidAuthCode, 'invalid auth_code');
  return JSON.stringify({
    errcode: 0,
    errmsg: 'ok',
    permanent_code: granted.permanentCode,
    auth_corp_info: { corpid: granted.corpId, corp_name: granted.corpName },
  });
}
