/**
 * get_permanent_code (docs/wecom-api.md §1): the AuthCode of a create_auth callback, exchanged
 * once for the corp's permanent code. WeCom accepts a code once (40078 afterwards, and after its
 * 10 minutes), so a caller must never replay an exchange that succeeded.
 */
import { BadResponseError, TimeoutError, WeComApiError, WeComError } from './errors';
import type { SuiteAccessTokens } from './tokens';
import { isJsonObject, parseEnvelope } from './wire';

export interface PermanentGrant {
  readonly corpId: string;
  readonly corpName: string;
  /** A secret: never logged, never in an error text. */
  readonly permanentCode: string;
}

/** WeCom's errcode for an auth code already used, expired or unknown. */
export const AUTH_CODE_USED = 40078;

/** One exchange; a suite token refused before its expiry (42009/40082) is renewed once. */
export function getPermanentCode(suite: SuiteAccessTokens, authCode: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<PermanentGrant> {
  return suite.withRenewal(() => exchangeOnce(suite, authCode, opts));
}

async function exchangeOnce(suite: SuiteAccessTokens, authCode: string, opts: { timeoutMs?: number; signal?: AbortSignal }): Promise<PermanentGrant> {
  const url = suite.url('/cgi-bin/service/get_permanent_code', { suite_access_token: await suite.get(opts.signal) });
  const secrets = [...suite.secrets(), authCode];
  const reply = await suite.transport.send({
    method: 'POST',
    url,
    body: { auth_code: authCode },
    timeoutMs: opts.timeoutMs ?? 15_000,
    what: 'get_permanent_code',
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const envelope = parseEnvelope(reply.json);
  if (!envelope.ok || !isJsonObject(reply.json)) throw new BadResponseError('shape', 'get_permanent_code did not reply with a WeCom JSON object');
  if (envelope.value.errcode !== 0) throw new WeComApiError(envelope.value.errcode, envelope.value.errmsg, 'get_permanent_code', secrets);
  const json = reply.json;
  const info = isJsonObject(json.auth_corp_info) ? json.auth_corp_info : {};
  const permanentCode = json.permanent_code;
  const corpId = info.corpid;
  if (typeof permanentCode !== 'string' || permanentCode === '' || typeof corpId !== 'string' || corpId === '') {
    throw new BadResponseError('shape', 'get_permanent_code replied without permanent_code or auth_corp_info.corpid');
  }
  return { corpId, corpName: typeof info.corp_name === 'string' ? info.corp_name : '', permanentCode };
}

/** Whether trying the same exchange again may succeed: network trouble and WeCom's busy answers. */
export function exchangeRetryable(error: unknown): boolean {
  if (error instanceof WeComApiError) return error.errcode !== AUTH_CODE_USED && error.kind !== 'fatal';
  if (error instanceof TimeoutError) return true;
  return error instanceof WeComError && error.kind === 'retry';
}
