// Options of startSimulator and their defaults.
import type { CallbackTarget } from './callbacks';
import type { CorpSize } from './corp';
import type { FaultRule } from './faults';
import type { RateLimitSettings } from './ratelimit';

export interface SuiteCredentials {
  suiteId: string;
  suiteSecret: string;
  suiteTicket: string;
  /** The authorized corp; defaults to the generated corp's corpid. */
  authCorpId: string;
  permanentCode: string;
}

export interface SimulatorOptions {
  /** 0 (default) picks a free port. The server always binds 127.0.0.1. */
  port?: number;
  seed?: number;
  /** Messages generated at start (default 20,000). */
  messages?: number;
  /** Days the history spreads over, ending now (default 8: older than sync's 5-day window). */
  days?: number;
  /** New messages per minute while running (default 0). */
  ratePerMinute?: number;
  /** Corp access-token lifetime in seconds (default 7200). */
  accessTokenTtl?: number;
  /** Callback-token lifetime in seconds (default 600, "valid 10 minutes"). */
  callbackTokenTtl?: number;
  /** Start the simulated clock this many seconds away from real time. */
  clockOffsetSeconds?: number;
  /** Start the simulated clock at this Unix time (overrides clockOffsetSeconds); for determinism. */
  startTime?: number;
  /** The simulated clock stands still except when advanced: results that do not depend on when the test runs. */
  frozenClock?: boolean;
  rateLimits?: Partial<RateLimitSettings>;
  suite?: Partial<SuiteCredentials>;
  /** A PEM SPKI RSA public key to start with; otherwise a 2048-bit pair is generated (version 1). */
  publicKey?: { pem: string; version: number };
  /** sync_msg with a limit above this replies 301058 (reply too large). Default: no such limit. */
  maxReplyMessages?: number;
  /** When set, /_sim/token-service requires `Authorization: Bearer <secret>`. */
  tokenServiceSecret?: string;
  /** Initial fault plan. */
  faults?: FaultRule[];
  corpSize?: CorpSize;
  /** Network latency added to every WeCom API reply (not to /_sim/ control routes). */
  latency?: LatencyOptions;
  /**
   * More corps served by the same process and base URL (the first corp is the one the options
   * above describe). Each has its own corpid, permanent code, tokens, clock, faults and messages;
   * requests are routed by access_token (get_corp_token by auth_corpid), control routes by `?corpid=`.
   */
  corps?: number | CorpOptions[];
  /**
   * Push WeCom's suite callbacks (suite_ticket, create_auth, cancel_auth, conversation_new_message)
   * to the provider's callback URL, signed and encrypted (callbacks.ts).
   */
  callbacks?: CallbackTarget;
}

export interface LatencyOptions {
  /** Per request. */
  fixedMs?: number;
  /** Per message in a sync_msg reply (serializing and sending a large page takes longer). */
  perMessageMs?: number;
}

/** What may differ per corp; unset fields are the simulator's (the seed is the simulator's + index). */
export interface CorpOptions {
  seed?: number;
  messages?: number;
  days?: number;
  ratePerMinute?: number;
  clockOffsetSeconds?: number;
  startTime?: number;
}

export const DEFAULTS = {
  port: 0,
  seed: 7,
  messages: 20_000,
  days: 8,
  ratePerMinute: 0,
  accessTokenTtl: 7200,
  callbackTokenTtl: 600,
  suiteTokenTtl: 7200,
  suite: {
    suiteId: 'wwsimsuite0000000001',
    suiteSecret: 'sim-suite-secret-0000000000000000000000000',
    suiteTicket: 'sim-suite-ticket-0000000000000000000000000',
    permanentCode: 'sim-permanent-code-00000000000000000000000',
  },
} as const;
