/**
 * The host ⇄ sync thread protocol (syncThread.ts ⇄ syncWorker.ts). Plain data only: it crosses
 * postMessage. A run is named by `runId`; the host's token source answers `token` requests.
 */
import type { MessagePort } from 'node:worker_threads';
import type { RateLimitOptions, RetryOptions } from '../wecom/client';
import type { ProxyOptions } from '../wecom/proxy';
import type { CrossError } from './crossErrors';
import type { SyncChange, SyncProgress, SyncResult } from './sync';

/** What the sync thread needs to build its own WeComClient (never a token: it asks for one). */
export interface ClientSpec {
  /** Default https://qyapi.weixin.qq.com; http: only for loopback hosts. */
  baseUrl?: string;
  /** VS Code's http.proxy / http.proxyStrictSSL; HTTPS_PROXY/HTTP_PROXY/NO_PROXY otherwise. */
  proxy?: ProxyOptions;
  timeoutMs?: number;
  retry?: RetryOptions;
  rateLimit?: RateLimitOptions;
}

/** The engine's options that cross (no clock, no callbacks). */
export interface EngineSpec {
  owner: string;
  limit?: number;
  leaseTtlMs?: number;
  commitEveryMs?: number;
  idleCommitMs?: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type HostToSync =
  | {
      type: 'run';
      runId: number;
      /** A channel to the archive's store worker (connectStore), transferred. */
      store: MessagePort;
      file: string;
      engine: EngineSpec;
      client: ClientSpec;
      /** The callback token to send now; updated by `callbackToken` messages. */
      callbackToken?: string;
      /** Whether debug lines are wanted (two per page: not sent across for nothing). */
      debug: boolean;
    }
  | { type: 'cancel'; runId: number }
  | { type: 'callbackToken'; runId: number; value?: string }
  | { type: 'token'; requestId: number; ok: true; token: string; secrets: string[] }
  | { type: 'token'; requestId: number; ok: false; error: CrossError };

export type SyncToHost =
  | { type: 'token'; runId: number; requestId: number; refresh: boolean }
  | { type: 'log'; runId: number; level: LogLevel; text: string }
  /** The client starts waiting out a 45009 block. */
  | { type: 'wait'; runId: number; until: number; error: CrossError }
  | { type: 'progress'; runId: number; progress: SyncProgress }
  | { type: 'change'; runId: number; change: SyncChange }
  /** The last page has arrived (RunOptions.onFetched). */
  | { type: 'fetched'; runId: number }
  | { type: 'end'; runId: number; ok: true; result: SyncResult }
  | { type: 'end'; runId: number; ok: false; error: CrossError };
