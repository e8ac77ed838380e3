import type { Logger } from '../../core/wecom';
import { type Profile, parseCallbackToken } from './profile';
import { type SecretReader, connect } from './connect';

export interface ConnectionReport {
  /** Messages on a one-message first page: 0 or 1. */
  messages: number;
  hasMore: boolean;
  ms: number;
  keyVersions: number[];
}

/** Gets a token and calls sync_msg once with limit 1 (no cursor is stored: nothing is consumed). */
export async function testConnection(profile: Profile, secret: SecretReader, logger: Logger, signal?: AbortSignal): Promise<ConnectionReport> {
  const conn = await connect(profile, secret, logger, { retry: { maxAttempts: 2 } });
  try {
    const t0 = Date.now();
    const token = parseCallbackToken(await secret('callbackToken'), Date.now())?.token;
    const page = await conn.client.syncMsg({ limit: 1, ...(token ? { token } : {}) }, signal);
    return { messages: page.messages.length, hasMore: page.hasMore, ms: Date.now() - t0, keyVersions: conn.keyRing.versions() };
  } finally {
    conn.dispose();
  }
}
