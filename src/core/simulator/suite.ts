// The provider token chain (guide §1): suite_ticket → suite_access_token → corp access_token.
// The configured suite_ticket never expires here; any other ticket is refused with 40085.
import { ApiError, ErrCode } from './errors';
import type { SuiteCredentials } from './options';
import type { Body } from './params';
import type { TokenBook } from './tokens';

export function getSuiteToken(body: Body, creds: SuiteCredentials, suiteTokens: TokenBook): string {
  if (body.suite_id !== creds.suiteId) throw new ApiError(ErrCode.invalidSuiteId, 'invalid suite_id');
  if (body.suite_secret !== creds.suiteSecret) throw new ApiError(ErrCode.invalidSecret, 'invalid credential: suite_secret');
  if (body.suite_ticket !== creds.suiteTicket) throw new ApiError(ErrCode.invalidSuiteTicket, 'invalid suite_ticket');
  const { token, expiresIn } = suiteTokens.issue();
  return JSON.stringify({ errcode: 0, errmsg: 'ok', suite_access_token: token, expires_in: expiresIn });
}

export function getCorpToken(
  suiteToken: string | null,
  body: Body,
  creds: SuiteCredentials,
  suiteTokens: TokenBook,
  corpTokens: TokenBook,
): string {
  if (!suiteToken) throw new ApiError(ErrCode.missingSuiteToken, 'suite_access_token missing');
  const state = suiteTokens.check(suiteToken);
  if (state === 'expired') throw new ApiError(ErrCode.suiteTokenExpired, 'suite_access_token expired');
  if (state === 'unknown') throw new ApiError(ErrCode.invalidSuiteToken, 'invalid suite_access_token');
  if (body.auth_corpid !== creds.authCorpId) throw new ApiError(ErrCode.invalidCorpId, 'invalid corpid: auth_corpid');
  if (body.permanent_code !== creds.permanentCode) {
    throw new ApiError(ErrCode.invalidPermanentCode, 'invalid permanent_code');
  }
  const { token, expiresIn } = corpTokens.issue();
  return JSON.stringify({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: expiresIn });
}
