import type { Logger } from '../../core/wecom';
import { listTeamCorps } from '../../core/archive/teamArchive';
import { ArchiveError } from '../../core/archive/errors';
import { phrase } from '../../shared/text';
import { type Profile, isTeamProfile, parseCallbackToken } from './profile';
import { type SecretReader, connect } from './connect';

export interface ConnectionReport {
  /** WeCom's sync_msg answered; or the team archive service did, keeping `messages` of the corp. */
  via: 'wecom' | 'team';
  /** Messages on a one-message first page (0 or 1); for a team profile, those the service keeps. */
  messages: number;
  hasMore: boolean;
  ms: number;
  keyVersions: number[];
}

/** Gets a token and calls sync_msg once with limit 1 (no cursor is stored: nothing is consumed). */
export async function testConnection(profile: Profile, secret: SecretReader, logger: Logger, signal?: AbortSignal): Promise<ConnectionReport> {
  if (isTeamProfile(profile)) return testTeam(profile, secret);
  const conn = await connect(profile, secret, logger, { retry: { maxAttempts: 2 } });
  try {
    const t0 = Date.now();
    const token = parseCallbackToken(await secret('callbackToken'), Date.now())?.token;
    const page = await conn.client.syncMsg({ limit: 1, ...(token ? { token } : {}) }, signal);
    return { via: 'wecom', messages: page.messages.length, hasMore: page.hasMore, ms: Date.now() - t0, keyVersions: conn.keyRing.versions() };
  } finally {
    conn.dispose();
  }
}

/** The service answers with this key, and lists the profile's corp among those the key may read. */
async function testTeam(profile: Profile, secret: SecretReader): Promise<ConnectionReport> {
  const t0 = Date.now();
  const corps = await listTeamCorps(profile.teamUrl ?? '', (await secret('teamApiKey')) ?? '');
  const corp = corps.find((c) => c.corpId === profile.corpId);
  if (!corp) {
    throw new ArchiveError('SERVICE', `corp ${profile.corpId} is not among the key's corps`, {
      userMessage: phrase('The team archive service does not let this key read the corp {0}. Check the corp id, or ask the service\'s admin to add it to your key.', profile.corpId),
    });
  }
  return { via: 'team', messages: corp.messages, hasMore: false, ms: Date.now() - t0, keyVersions: profile.keyVersions };
}
