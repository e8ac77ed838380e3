/**
 * create_auth → a corp that syncs: the AuthCode is exchanged for the permanent code (once: WeCom
 * answers 40078 to a second exchange), the code is sealed and stored, then the service adds the
 * corp. The same create_auth delivered twice (WeCom retries a push it thinks was lost) is handled
 * once. Network trouble is retried a few times; every failure is logged, never thrown: a callback's
 * work runs after its answer, with nobody to catch it.
 */
import { CancelledError } from '../../core/wecom/errors';
import { AUTH_CODE_USED, exchangeRetryable, getPermanentCode, type PermanentGrant } from '../../core/wecom/permanentCode';
import type { SuiteAccessTokens } from '../../core/wecom/tokens';
import type { CodeSeal } from './codeSeal';

type Level = 'debug' | 'info' | 'warn' | 'error';

export interface AuthorizerDeps {
  suite: () => SuiteAccessTokens;
  /** Undefined when no key is configured: a code that cannot be stored safely is not exchanged. */
  seal: CodeSeal | undefined;
  store: (corp: { corpId: string; corpName: string; sealedCode: string }) => Promise<void>;
  /** The corp is authorized: sync it now. */
  added: (grant: PermanentGrant) => void;
  log: (level: Level, msg: string, fields?: Record<string, unknown>) => void;
  /** Registers a value the logs must redact. */
  secret: (value: string) => void;
  /** Waits before attempt n+1 (ms); default 1 s, 2 s, 4 s. */
  retryDelaysMs?: readonly number[];
  signal?: AbortSignal;
}

/** Auth codes live 10 minutes; one seen is remembered a little longer. */
const REMEMBER_MS = 15 * 60_000;

export type AuthOutcome = 'added' | 'duplicate' | 'used' | 'failed' | 'no-key';

export class CorpAuthorizer {
  private readonly seen = new Map<string, { at: number; done: Promise<AuthOutcome> }>();

  constructor(private readonly deps: AuthorizerDeps) {}

  /** Never rejects; resolves with what happened (for tests and metrics). */
  handle(authCode: string, now = Date.now()): Promise<AuthOutcome> {
    this.deps.secret(authCode);
    for (const [code, s] of this.seen) if (now - s.at > REMEMBER_MS) this.seen.delete(code);
    const earlier = this.seen.get(authCode);
    if (earlier) {
      this.deps.log('info', 'create_auth delivered again: already handled');
      return earlier.done.then(() => 'duplicate');
    }
    const done = this.authorize(authCode);
    this.seen.set(authCode, { at: now, done });
    return done;
  }

  private async authorize(authCode: string): Promise<AuthOutcome> {
    const { seal, log } = this.deps;
    if (!seal) {
      log('error', 'a corp authorized the suite, but suite.permanentCodeKeyEnv/File is not set: its permanent code cannot be stored, so the auth code was not exchanged');
      return 'no-key';
    }
    const grant = await this.exchange(authCode);
    if (typeof grant === 'string') return grant;
    this.deps.secret(grant.permanentCode);
    const stored = await this.storeWithRetry({ corpId: grant.corpId, corpName: grant.corpName, sealedCode: seal.seal(grant.corpId, grant.permanentCode) });
    // Stored or not, the code is in hand: sync now (without the row it lasts until a restart).
    this.deps.added(grant);
    log(stored ? 'info' : 'error', stored ? 'corp authorized: added and syncing' : 'corp authorized and syncing, but its permanent code could not be stored: it is lost at restart, and the corp must authorize again', {
      corp: grant.corpId,
      corpName: grant.corpName,
    });
    return 'added';
  }

  private async exchange(authCode: string): Promise<PermanentGrant | 'used' | 'failed'> {
    const delays = this.deps.retryDelaysMs ?? [1000, 2000, 4000];
    for (let attempt = 1; ; attempt++) {
      try {
        return await getPermanentCode(this.deps.suite(), authCode, this.deps.signal ? { signal: this.deps.signal } : {});
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        if (error instanceof CancelledError || this.deps.signal?.aborted) return 'failed';
        if ((error as { errcode?: unknown }).errcode === AUTH_CODE_USED) {
          // Used (by an earlier delivery, another replica, or an attempt whose answer was lost) or expired.
          this.deps.log('warn', 'create_auth: the auth code was refused as used or expired (40078); if the corp is not synced, it must authorize again', { error: text });
          return 'used';
        }
        const delay = delays[attempt - 1];
        if (!exchangeRetryable(error) || delay === undefined) {
          this.deps.log('error', 'create_auth: the auth code could not be exchanged for a permanent code', { error: text, attempts: attempt });
          return 'failed';
        }
        this.deps.log('warn', 'create_auth: exchanging the auth code failed; retrying', { error: text, attempt, retryInMs: delay });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async storeWithRetry(row: { corpId: string; corpName: string; sealedCode: string }): Promise<boolean> {
    for (const delay of [0, ...(this.deps.retryDelaysMs ?? [1000, 2000, 4000])]) {
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        await this.deps.store(row);
        return true;
      } catch (error) {
        this.deps.log('warn', 'create_auth: storing the authorized corp failed', { corp: row.corpId, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return false;
  }
}
