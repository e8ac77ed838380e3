// WeCom replies errors as HTTP 200 with {errcode, errmsg}. Handlers throw ApiError; the router
// turns it into that reply.

export const ErrCode = {
  ok: 0,
  busy: -1,
  invalidSecret: 40001,
  invalidCorpId: 40013,
  invalidAccessToken: 40014,
  invalidParameter: 40058,
  invalidAuthCode: 40078,
  invalidSuiteToken: 40082,
  invalidSuiteId: 40083,
  invalidPermanentCode: 40084,
  invalidSuiteTicket: 40085,
  missingAccessToken: 41001,
  missingSuiteToken: 41022,
  accessTokenExpired: 42001,
  suiteTokenExpired: 42009,
  requirePost: 43002,
  rateLimited: 45009,
  tooManyConcurrent: 45033,
  dataFormatError: 47001,
  apiUnauthorized: 48001,
  apiForbidden: 48002,
  authCancelled: 48004,
  invalidCursor: 50100,
  ipNotAllowed: 60020,
  archiveExpired: 301052,
  archiveNotEnabled: 301053,
  replyTooLarge: 301058,
} as const;

/** errmsg texts for the errcodes the simulator produces without a more specific message. */
export const ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system busy',
  40001: 'invalid credential',
  40014: 'invalid access_token',
  42001: 'access_token expired',
  45009: 'api freq out of limit',
  45033: 'api concurrent out of limit',
  47001: 'data format error',
  48001: 'api unauthorized',
  48002: 'api forbidden',
  48004: 'api forbidden because of auth cancelled',
  50100: 'invalid cursor',
  60020: 'not allow to access from your ip',
  301052: 'chat archive service expired',
  301053: 'chat archive service not enabled',
  301058: 'reply size exceeds the limit, please reduce limit',
};

export class ApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string = ERRMSG[errcode] ?? 'error',
  ) {
    super(`${errcode} ${errmsg}`);
  }
}

/** 40058 with an errmsg that names the offending parameter, as the client shows it to users. */
export function invalidParam(name: string, why: string): ApiError {
  return new ApiError(ErrCode.invalidParameter, `invalid parameter: ${name}, ${why}`);
}

/** The JSON body WeCom sends for an error. */
export function errorBody(errcode: number, errmsg: string): string {
  return JSON.stringify({ errcode, errmsg: `${errmsg}, hint: [simulator]` });
}
