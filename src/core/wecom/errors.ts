/**
 * Every failure of the wecom layer is a typed error carrying what the UI needs: a sentence in both
 * languages, a next step with an action id the host can turn into a button, and a `kind` the client
 * uses to decide between retrying, refreshing the token, waiting, lowering `limit`, or giving up.
 *
 * `Error.message` is the English text (for logs and stack traces); the bilingual text is
 * `userMessage` because `message` must stay a string on an Error. No text here ever contains an
 * access token: API text is passed through redaction before it is stored.
 */
import { redactSecrets } from './redact';
import type { RuleViolation } from '../../shared/rules';
import type { Localized } from '../../shared/text';

/** What the client does about an API error (guide §6). */
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

export interface NextStep extends Localized {
  readonly action: NextAction;
}

export type WeComApi =
  | 'sync_msg'
  | 'search_msg'
  | 'get_suite_token'
  | 'get_corp_token'
  | 'token_service'
  | (string & {});

function step(action: NextAction, zh: string, en: string): NextStep {
  return { action, zh, en };
}

const NO_STEP = step('none', '', '');

export abstract class WeComError extends Error {
  abstract readonly kind: ErrorKind;
  readonly userMessage: Localized;
  readonly nextStep: NextStep;

  protected constructor(userMessage: Localized, nextStep: NextStep, options?: { cause?: unknown }) {
    super(userMessage.en, options);
    this.userMessage = userMessage;
    this.nextStep = nextStep;
  }

  /** True when the client's retry loop may try the same request again after a backoff. */
  get retryable(): boolean {
    return this.kind === 'retry';
  }
}

// ---------------------------------------------------------------- API errcodes (guide §6)

interface ErrcodeEntry {
  readonly kind: ApiErrorKind;
  readonly zh: string;
  readonly en: string;
  readonly next: NextStep;
}

const REFRESH = step('refreshToken', '刷新访问令牌后重试。', 'Refresh the access token and try again.');
const CHECK_AUTH = step(
  'checkAuthorization',
  '确认该企业已授予「会话存档接口授权」及「获取会话记录」权限。',
  'Check that the corp granted the chat-archive API authorization with the "get chat records" permission.',
);

const ERRCODES: ReadonlyMap<number, ErrcodeEntry> = new Map<number, ErrcodeEntry>([
  [-1, { kind: 'retry', zh: '企业微信系统繁忙。', en: 'WeCom is busy.', next: step('retry', '稍后会自动重试。', 'It will be retried automatically.') }],
  [40001, { kind: 'refreshToken', zh: '密钥错误或访问令牌无效。', en: 'Invalid secret or access token.', next: REFRESH }],
  [40014, { kind: 'refreshToken', zh: '访问令牌无效。', en: 'The access token is invalid.', next: REFRESH }],
  [42001, { kind: 'refreshToken', zh: '访问令牌已过期。', en: 'The access token has expired.', next: REFRESH }],
  [41001, { kind: 'refreshToken', zh: '请求缺少访问令牌。', en: 'The request carried no access token.', next: REFRESH }],
  [42009, { kind: 'refreshToken', zh: '第三方应用凭证（suite_access_token）已过期。', en: 'The suite access token has expired.', next: REFRESH }],
  [40082, { kind: 'refreshToken', zh: '第三方应用凭证（suite_access_token）无效。', en: 'The suite access token is invalid.', next: REFRESH }],
  [40084, { kind: 'fatal', zh: '永久授权码（permanent_code）无效。', en: 'The permanent code is invalid.', next: step('checkAuthorization', '让企业重新授权，并保存新的永久授权码。', 'Have the corp authorize again and save the new permanent code.') }],
  [40085, { kind: 'fatal', zh: 'suite_ticket 无效或已过期（每 10 分钟推送一次，30 分钟内有效）。', en: 'The suite_ticket is invalid or expired (pushed every 10 min, valid 30 min).', next: step('updateSuiteTicket', '从回调中取得最新的 suite_ticket 后重试。', 'Take the latest suite_ticket from your callback and try again.') }],
  [40058, { kind: 'fatal', zh: '请求参数不合法。', en: 'A request parameter is invalid.', next: step('fixRequest', '检查请求参数。', 'Check the request parameters.') }],
  [45009, { kind: 'wait', zh: '接口调用超过频率限制。', en: 'The API rate limit was exceeded.', next: step('wait', '等待限制解除后会自动继续。', 'It resumes automatically once the block is over.') }],
  [45033, { kind: 'retry', zh: '接口并发调用过多。', en: 'Too many concurrent API calls.', next: step('retry', '稍后会自动重试。', 'It will be retried automatically.') }],
  [47001, { kind: 'fatal', zh: '请求数据格式错误。', en: 'The request data format is wrong.', next: step('reportBug', '这是扩展的问题，请反馈。', 'This is a bug in the extension; please report it.') }],
  [48001, { kind: 'fatal', zh: '接口未授权。', en: 'This API is not authorized.', next: CHECK_AUTH }],
  [48002, { kind: 'fatal', zh: '没有调用此接口的权限。', en: 'No permission to call this API.', next: CHECK_AUTH }],
  [48004, { kind: 'fatal', zh: '授权已失效（企业可能已取消授权）。', en: 'The authorization is no longer valid (the corp may have cancelled it).', next: CHECK_AUTH }],
  [50100, { kind: 'fatal', zh: '游标（cursor）无效。', en: 'The cursor is invalid.', next: step('resetSyncPosition', '企业微信不再接受已保存的同步位置。运行“重置同步位置…”：记录缺口，并从企业微信仍保留的最早消息重新开始。', 'WeCom no longer accepts the stored sync position. Run "Reset Sync Position…" to record the gap and start again from the oldest message WeCom keeps.') }],
  [60020, { kind: 'fatal', zh: '调用方 IP 不在服务商的 IP 白名单中。', en: "The caller's IP is not on the provider's IP whitelist.", next: step('setProxy', '通过白名单内的代理或中转地址访问（设置代理或 API 地址）。', 'Go through a whitelisted proxy or relay (set a proxy or the API base URL).') }],
  [301052, { kind: 'fatal', zh: '会话存档服务已过期。', en: 'The chat-archive service has expired.', next: CHECK_AUTH }],
  [301053, { kind: 'fatal', zh: '会话存档服务未开通。', en: 'The chat-archive service is not enabled.', next: CHECK_AUTH }],
  [301058, { kind: 'halveLimit', zh: '返回数据过大，需要减小 limit。', en: 'The reply is too large; limit must be lowered.', next: step('lowerLimit', '会自动减半 limit 后重试。', 'limit is halved and the request retried automatically.') }],
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
    const zh = `${api} 调用失败（errcode ${errcode}）：${entry?.zh ?? safeErrmsg}`;
    const en = `${api} failed (errcode ${errcode}): ${entry?.en ?? safeErrmsg}`;
    super(
      { zh, en },
      entry?.next ?? step('none', '查看日志中的 errmsg。', 'See errmsg in the log.'),
    );
    this.name = 'WeComApiError';
    this.kind = entry?.kind ?? 'fatal';
    this.errcode = errcode;
    this.errmsg = safeErrmsg;
    this.api = api;
  }
}

// ---------------------------------------------------------------- transport failures

const RETRY_STEP = step('retry', '稍后会自动重试；若持续失败，检查网络或代理设置。', 'It is retried automatically; if it keeps failing, check the network or proxy settings.');
const PROXY_STEP = step('setProxy', '检查网络、代理（http.proxy）或 API 地址设置。', 'Check the network, the proxy (http.proxy) or the API base URL.');

/** Connection refused/reset, DNS failure, TLS failure… `code` is the system or undici code. */
export class NetworkError extends WeComError {
  readonly kind: 'retry' | 'fatal';
  readonly code: string | undefined;

  constructor(code: string | undefined, detail: string, retryable: boolean, options?: { cause?: unknown }) {
    super(
      { zh: `网络错误（${code ?? 'unknown'}）：${detail}`, en: `Network error (${code ?? 'unknown'}): ${detail}` },
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
      { zh: `${what} 在 ${timeoutMs} 毫秒内没有响应。`, en: `${what} did not answer within ${timeoutMs} ms.` },
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
      { zh: `服务器返回了无法使用的响应：${detail}`, en: `The server sent an unusable reply: ${detail}` },
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
    super({ zh: '操作已取消。', en: 'The operation was cancelled.' }, NO_STEP);
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
    super(
      {
        zh: violations.map((v) => v.message.zh).join(' '),
        en: violations.map((v) => v.message.en).join(' '),
      },
      step('fixRequest', '修改请求参数后重试。', 'Correct the request and try again.'),
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

  constructor(setting: ConfigSetting, message: Localized) {
    super(
      message,
      setting === 'proxy'
        ? step('setProxy', '修改代理设置。', 'Fix the proxy setting.')
        : step('checkSettings', '修改设置后重试。', 'Fix the setting and try again.'),
    );
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

export type TokenProblem = 'missing' | 'expired' | 'notRefreshable' | 'badReply';

export class TokenError extends WeComError {
  readonly kind = 'fatal' as const;
  readonly problem: TokenProblem;

  constructor(problem: TokenProblem, message: Localized, next: NextStep, options?: { cause?: unknown }) {
    super(message, next, options);
    this.name = 'TokenError';
    this.problem = problem;
  }
}

export const PASTE_TOKEN_STEP = step('pasteToken', '粘贴新的访问令牌。', 'Paste a new access token.');
export const EDIT_PROFILE_STEP = step('editProfile', '编辑配置，重新填写后重试。', 'Edit the profile, enter it again and try again.');
export const CHECK_TOKEN_SERVICE_STEP = step('checkSettings', '检查令牌服务的地址和密钥。', 'Check the token service URL and secret.');

export type DecryptProblem = 'missingKey' | 'badPadding' | 'badCiphertext' | 'invalidKey' | 'weakKey' | 'encryptedKey' | 'notRsa';

export class DecryptError extends WeComError {
  readonly kind = 'fatal' as const;
  readonly problem: DecryptProblem;
  readonly publicKeyVer: number | undefined;

  constructor(problem: DecryptProblem, message: Localized, publicKeyVer?: number, options?: { cause?: unknown }) {
    super(
      message,
      step(
        'importKey',
        publicKeyVer === undefined ? '导入正确的 RSA 私钥。' : `导入版本 ${publicKeyVer} 的私钥。`,
        publicKeyVer === undefined ? 'Import the right RSA private key.' : `Import the private key for version ${publicKeyVer}.`,
      ),
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
      { zh: `意外错误：${detail}`, en: `Unexpected error: ${detail}` },
      step('reportBug', '请附上日志反馈此问题。', 'Please report this with the log.'),
      options,
    );
    this.name = 'UnexpectedError';
  }
}

export function isWeComError(value: unknown): value is WeComError {
  return value instanceof WeComError;
}
