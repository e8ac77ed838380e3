/**
 * Every failure of the wecom layer is a typed error carrying what the UI needs: a sentence as a
 * Phrase (English template and arguments; the host words it in the user's language), a next step
 * with an action id the host can turn into a button, and a `kind` the client uses to decide between
 * retrying, refreshing the token, waiting, lowering `limit`, or giving up.
 *
 * `Error.message` is the English wording (for logs and stack traces). No text here ever contains an
 * access token: API text is passed through redaction before it becomes an argument.
 */
import { redactSecrets } from './redact';
import type { RuleViolation } from '../../shared/rules';
import { english, phrase, word, type Phrase } from '../../shared/text';

/** What the client does about an API error (docs/wecom-api.md §6). */
export type ApiErrorKind = 'retry' | 'refreshToken' | 'wait' | 'halveLimit' | 'fatal';
/** Any error's kind; `cancelled` lets the host ignore user-initiated stops without matching classes. */
export type ErrorKind = ApiErrorKind | 'cancelled';

export type NextAction =
  | 'none'
  | 'retry'
  | 'setProxy'
  | 'refreshToken'
  | 'pasteToken'
  | 'updateSuiteTicket'
  | 'editProfile'
  | 'importKey'
  | 'lowerLimit'
  | 'wait'
  | 'checkAuthorization'
  | 'resetSyncPosition'
  | 'fixRequest'
  | 'checkSettings'
  | 'reportBug';

export interface NextStep extends Phrase {
  readonly action: NextAction;
}

export type WeComApi =
  | 'sync_msg'
  | 'search_msg'
  | 'get_suite_token'
  | 'get_corp_token'
  | 'token_service'
  | (string & {});

function step(action: NextAction, next: Phrase): NextStep {
  return { action, ...next };
}

const NO_STEP: NextStep = { action: 'none', text: '', args: [] };

export abstract class WeComError extends Error {
  abstract readonly kind: ErrorKind;
  readonly userMessage: Phrase;
  readonly nextStep: NextStep;

  protected constructor(userMessage: Phrase, nextStep: NextStep, options?: { cause?: unknown }) {
    super(word(userMessage, english), options);
    this.userMessage = userMessage;
    this.nextStep = nextStep;
  }

  /** True when the client's retry loop may try the same request again after a backoff. */
  get retryable(): boolean {
    return this.kind === 'retry';
  }
}

// ---------------------------------------------------------------- API errcodes (docs/wecom-api.md §6)

interface ErrcodeEntry {
  readonly kind: ApiErrorKind;
  readonly message: Phrase;
  readonly next: NextStep;
}

const REFRESH = step('refreshToken', phrase('Refresh the access token and try again.'));
const CHECK_AUTH = step('checkAuthorization', phrase('Check that the corp granted the chat-archive API authorization with the "get chat records" permission.'));

const ERRCODES: ReadonlyMap<number, ErrcodeEntry> = new Map<number, ErrcodeEntry>([
  [-1, { kind: 'retry', message: phrase('WeCom is busy.'), next: step('retry', phrase('It will be retried automatically.')) }],
  [40001, { kind: 'refreshToken', message: phrase('Invalid secret or access token.'), next: REFRESH }],
  [40014, { kind: 'refreshToken', message: phrase('The access token is invalid.'), next: REFRESH }],
  [42001, { kind: 'refreshToken', message: phrase('The access token has expired.'), next: REFRESH }],
  [41001, { kind: 'refreshToken', message: phrase('The request carried no access token.'), next: REFRESH }],
  [42009, { kind: 'refreshToken', message: phrase('The suite access token has expired.'), next: REFRESH }],
  [40082, { kind: 'refreshToken', message: phrase('The suite access token is invalid.'), next: REFRESH }],
  [40084, { kind: 'fatal', message: phrase('The permanent code is invalid.'), next: step('checkAuthorization', phrase('Have the corp authorize again and save the new permanent code.')) }],
  [40085, { kind: 'fatal', message: phrase('The suite_ticket is invalid or expired (pushed every 10 min, valid 30 min).'), next: step('updateSuiteTicket', phrase('Take the latest suite_ticket from your callback and try again.')) }],
  [40058, { kind: 'fatal', message: phrase('A request parameter is invalid.'), next: step('fixRequest', phrase('Check the request parameters.')) }],
  [45009, { kind: 'wait', message: phrase('The API rate limit was exceeded.'), next: step('wait', phrase('It resumes automatically once the block is over.')) }],
  [45033, { kind: 'retry', message: phrase('Too many concurrent API calls.'), next: step('retry', phrase('It will be retried automatically.')) }],
  [47001, { kind: 'fatal', message: phrase('The request data format is wrong.'), next: step('reportBug', phrase('This is a bug in the extension; please report it.')) }],
  [48001, { kind: 'fatal', message: phrase('This API is not authorized.'), next: CHECK_AUTH }],
  [48002, { kind: 'fatal', message: phrase('No permission to call this API.'), next: CHECK_AUTH }],
  [48004, { kind: 'fatal', message: phrase('The authorization is no longer valid (the corp may have cancelled it).'), next: CHECK_AUTH }],
  [50100, { kind: 'fatal', message: phrase('The cursor is invalid.'), next: step('resetSyncPosition', phrase('WeCom no longer accepts the stored sync position. Run "Reset Sync Position…" to record the gap and start again from the oldest message WeCom keeps.')) }],
  [60020, { kind: 'fatal', message: phrase('The caller\'s IP is not on the provider\'s IP whitelist.'), next: step('setProxy', phrase('Go through a whitelisted proxy or relay (set a proxy or the API base URL).')) }],
  [301052, { kind: 'fatal', message: phrase('The chat-archive service has expired.'), next: CHECK_AUTH }],
  [301053, { kind: 'fatal', message: phrase('The chat-archive service is not enabled.'), next: CHECK_AUTH }],
  [301058, { kind: 'halveLimit', message: phrase('The reply is too large; limit must be lowered.'), next: step('lowerLimit', phrase('limit is halved and the request retried automatically.')) }],
]);

export function errcodeKind(errcode: number): ApiErrorKind {
  return ERRCODES.get(errcode)?.kind ?? 'fatal';
}

export class WeComApiError extends WeComError {
  readonly kind: ApiErrorKind;
  readonly errcode: number;
  /** WeCom's own text, redacted. */
  readonly errmsg: string;
  readonly api: WeComApi;

  constructor(errcode: number, errmsg: string, api: WeComApi, secrets: Iterable<string | undefined> = []) {
    const entry = ERRCODES.get(errcode);
    const safeErrmsg = redactSecrets(errmsg, secrets);
    super(
      phrase('{0} failed (errcode {1}): {2}', api, errcode, entry?.message ?? safeErrmsg),
      entry?.next ?? step('none', phrase('See errmsg in the log.')),
    );
    this.name = 'WeComApiError';
    this.kind = entry?.kind ?? 'fatal';
    this.errcode = errcode;
    this.errmsg = safeErrmsg;
    this.api = api;
  }
}

// ---------------------------------------------------------------- transport failures

const RETRY_STEP = step('retry', phrase('It is retried automatically; if it keeps failing, check the network or proxy settings.'));
const PROXY_STEP = step('setProxy', phrase('Check the network, the proxy (http.proxy) or the API base URL.'));

/** Connection refused/reset, DNS failure, TLS failure… `code` is the system or undici code. */
export class NetworkError extends WeComError {
  readonly kind: 'retry' | 'fatal';
  readonly code: string | undefined;

  constructor(code: string | undefined, detail: string, retryable: boolean, options?: { cause?: unknown }) {
    super(
      phrase('Network error ({0}): {1}', code ?? 'unknown', detail),
      retryable ? RETRY_STEP : PROXY_STEP,
      options,
    );
    this.name = 'NetworkError';
    this.code = code;
    this.kind = retryable ? 'retry' : 'fatal';
  }
}

export class TimeoutError extends WeComError {
  readonly kind = 'retry' as const;
  readonly timeoutMs: number;

  constructor(timeoutMs: number, what: string) {
    super(
      phrase('{0} did not answer within {1} ms.', what, timeoutMs),
      RETRY_STEP,
    );
    this.name = 'TimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The server answered, but not with something usable: HTTP error status, bad JSON, wrong shape. */
export class BadResponseError extends WeComError {
  readonly kind: 'retry' | 'fatal';
  readonly reason: 'json' | 'http' | 'shape';
  readonly status: number | undefined;

  constructor(reason: 'json' | 'http' | 'shape', detail: string, status?: number) {
    // Malformed JSON and 5xx are usually a proxy or gateway hiccup: worth retrying. 4xx and a wrong
    // shape will not fix themselves.
    const retryable = reason === 'json' || (reason === 'http' && status !== undefined && status >= 500);
    super(
      phrase('The server sent an unusable reply: {0}', detail),
      retryable ? RETRY_STEP : PROXY_STEP,
    );
    this.name = 'BadResponseError';
    this.kind = retryable ? 'retry' : 'fatal';
    this.reason = reason;
    this.status = status;
  }
}

export class CancelledError extends WeComError {
  readonly kind = 'cancelled' as const;

  constructor() {
    super(phrase('The operation was cancelled.'), NO_STEP);
    this.name = 'CancelledError';
  }
}

// ---------------------------------------------------------------- input and configuration

/** Bad user input, refused before any request. */
export class RequestRuleError extends WeComError {
  readonly kind = 'fatal' as const;
  readonly api: WeComApi;
  readonly violations: readonly RuleViolation[];

  constructor(api: WeComApi, violations: readonly RuleViolation[]) {
    // One sentence per violation, each worded on its own.
    const [first, ...rest] = violations.map((v) => v.message);
    super(
      rest.reduce((all, next) => phrase('{0} {1}', all, next), first ?? phrase('A request parameter is invalid.')),
      step('fixRequest', phrase('Correct the request and try again.')),
    );
    this.name = 'RequestRuleError';
    this.api = api;
    this.violations = violations;
  }
}

export type ConfigSetting = 'baseUrl' | 'proxy' | 'tokenService' | 'options';

export class ConfigError extends WeComError {
  readonly kind = 'fatal' as const;
  readonly setting: ConfigSetting;

  constructor(setting: ConfigSetting, message: Phrase) {
    super(
      message,
      setting === 'proxy'
        ? step('setProxy', phrase('Fix the proxy setting.'))
        : step('checkSettings', phrase('Fix the setting and try again.')),
    );
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

export type TokenProblem = 'missing' | 'expired' | 'notRefreshable' | 'badReply';

export class TokenError extends WeComError {
  readonly kind = 'fatal' as const;
  readonly problem: TokenProblem;

  constructor(problem: TokenProblem, message: Phrase, next: NextStep, options?: { cause?: unknown }) {
    super(message, next, options);
    this.name = 'TokenError';
    this.problem = problem;
  }
}

export const PASTE_TOKEN_STEP = step('pasteToken', phrase('Paste a new access token.'));
export const EDIT_PROFILE_STEP = step('editProfile', phrase('Edit the profile, enter it again and try again.'));
export const CHECK_TOKEN_SERVICE_STEP = step('checkSettings', phrase('Check the token service URL and secret.'));

export type DecryptProblem = 'missingKey' | 'badPadding' | 'badCiphertext' | 'invalidKey' | 'weakKey' | 'encryptedKey' | 'notRsa';

export class DecryptError extends WeComError {
  readonly kind = 'fatal' as const;
  readonly problem: DecryptProblem;
  readonly publicKeyVer: number | undefined;

  constructor(problem: DecryptProblem, message: Phrase, publicKeyVer?: number, options?: { cause?: unknown }) {
    super(
      message,
      step('importKey', publicKeyVer === undefined ? phrase('Import the right RSA private key.') : phrase('Import the private key for version {0}.', publicKeyVer)),
      options,
    );
    this.name = 'DecryptError';
    this.problem = problem;
    this.publicKeyVer = publicKeyVer;
  }
}

/** Anything that isn't ours (a bug, an unexpected library error) as a fatal typed error. */
export class UnexpectedError extends WeComError {
  readonly kind = 'fatal' as const;

  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      phrase('Unexpected error: {0}', detail),
      step('reportBug', phrase('Please report this with the log.')),
      options,
    );
    this.name = 'UnexpectedError';
  }
}
