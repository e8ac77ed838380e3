// A profile is one authorized corp. Only non-secret fields live here (and in globalState);
// every secret is in SecretStorage under secretKey(profileId, field).

/** How a profile reaches its corp: a token source for WeCom's API, or the team's archive service. */
export type TokenSourceKind = 'token' | 'suite' | 'service' | 'demo' | 'team';

export interface Profile {
  id: string;
  name: string;
  corpId: string;
  source: TokenSourceKind;
  /** '' = the `wecomArchive.apiBaseUrl` setting. */
  baseUrl: string;
  suiteId?: string;
  authCorpId?: string;
  serviceUrl?: string;
  /**
   * A "Team archive service" profile (source 'team'): the provider's archive service that keeps
   * this corp (https, or http on loopback); read with the API key `teamApiKey`. Such a profile
   * neither syncs nor holds corp credentials here.
   */
  teamUrl?: string;
  /**
   * The provider's service that returns the latest conversation_new_message token for this corp
   * (`{token, expires_at}`); https, or http on loopback. Asked before each sync and when WeCom refuses the token.
   */
  callbackTokenUrl?: string;
  /** Epoch ms when a pasted token expires, if the user said. */
  tokenExpiresAt?: number;
  /** The provider's viewer page, with {msgid} (and optionally {secretKey}) placeholders. */
  viewerUrlTemplate?: string;
  /** Versions of the private keys imported (the keys themselves are secrets). */
  keyVersions: number[];
  demo?: boolean;
  createdAt: number;
}

/** Every secret a profile can hold. Private keys add `privateKey.<version>`. */
export const SECRET_FIELDS = ['accessToken', 'suiteSecret', 'suiteTicket', 'permanentCode', 'serviceSecret', 'callbackToken', 'callbackServiceSecret', 'teamApiKey'] as const;
export type SecretField = (typeof SECRET_FIELDS)[number] | `privateKey.${number}`;

/** Whether the profile reads the team's archive service rather than syncing an archive of its own. */
export function isTeamProfile(profile: Pick<Profile, 'source'>): boolean {
  return profile.source === 'team';
}

export const SECRET_PREFIX = 'wecomArchive.profile.';

export function secretKey(profileId: string, field: SecretField): string {
  return `${SECRET_PREFIX}${profileId}.${field}`;
}

/** The profile id a secret key belongs to, or undefined if it is not one of ours. */
export function profileOfSecretKey(key: string): string | undefined {
  if (!key.startsWith(SECRET_PREFIX)) return undefined;
  const rest = key.slice(SECRET_PREFIX.length);
  const dot = rest.indexOf('.');
  return dot > 0 ? rest.slice(0, dot) : undefined;
}

/** The callback `token` of conversation_new_message is valid 10 minutes (docs/wecom-api.md §2). */
export interface CallbackToken {
  token: string;
  expiresAt: number;
}

export function parseCallbackToken(raw: string | undefined, now: number): CallbackToken | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<CallbackToken>;
    if (typeof v.token === 'string' && typeof v.expiresAt === 'number' && v.expiresAt > now) return { token: v.token, expiresAt: v.expiresAt };
  } catch {
    /* a damaged entry is the same as none */
  }
  return undefined;
}
