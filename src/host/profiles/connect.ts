// Builds the API client for a profile: its token source, base URL, VS Code's proxy settings and
// its private keys. The client never knows where its token comes from.
import * as vscode from 'vscode';
import {
  HttpTransport,
  KeyRing,
  type Logger,
  StaticTokenSource,
  SuiteTokenSource,
  type TokenSource,
  TokenServiceSource,
  WeComClient,
  type WeComClientOptions,
} from '../../core/wecom';
import type { ClientSpec } from '../../core/archive';
import type { ProxyOptions } from '../../core/wecom/proxy';
import type { Profile, SecretField } from './profile';

/** Where a profile's secrets are read from: SecretStorage, or a wizard's draft before it is saved. */
export type SecretReader = (field: SecretField) => PromiseLike<string | undefined>;

export interface Connection {
  readonly profile: Profile;
  readonly client: WeComClient;
  /** What the client was built from, for the sync thread, which builds its own and asks this token source. */
  readonly tokenSource: TokenSource;
  readonly clientSpec: ClientSpec;
  readonly keyRing: KeyRing;
  dispose(): void;
}

export function effectiveBaseUrl(profile: Profile): string {
  return profile.baseUrl || vscode.workspace.getConfiguration('wecomArchive').get<string>('apiBaseUrl', 'https://qyapi.weixin.qq.com');
}

/** VS Code's `http.proxy` / `http.proxyStrictSSL`; HTTPS_PROXY / NO_PROXY apply when it is empty. */
export function proxyFromSettings(): ProxyOptions | undefined {
  const http = vscode.workspace.getConfiguration('http');
  const url = http.get<string>('proxy', '').trim();
  return url ? { url, strictSSL: http.get<boolean>('proxyStrictSSL', true) } : undefined;
}

async function tokenSourceFor(profile: Profile, secret: SecretReader, transport: HttpTransport, baseUrl: string, logger: Logger): Promise<TokenSource> {
  switch (profile.source) {
    case 'token':
      return new StaticTokenSource({ token: (await secret('accessToken')) ?? '', expiresAt: profile.tokenExpiresAt });
    // Demo mode uses the simulator's suite chain, so its tokens expire and refresh like a real corp's.
    case 'demo':
    case 'suite':
      return new SuiteTokenSource({
        suiteId: profile.suiteId ?? '',
        suiteSecret: (await secret('suiteSecret')) ?? '',
        // The ticket is pushed every 10 minutes: read the latest one each time it is needed.
        suiteTicket: async () => (await secret('suiteTicket')) ?? '',
        authCorpId: profile.authCorpId ?? profile.corpId,
        permanentCode: (await secret('permanentCode')) ?? '',
        baseUrl,
        transport,
        logger,
      });
    case 'service':
      return new TokenServiceSource({ url: profile.serviceUrl ?? '', bearerSecret: (await secret('serviceSecret')) || undefined, transport, logger });
    case 'team':
      // Callers check isTeamProfile first; reaching here is a bug, said plainly.
      throw new Error(`profile "${profile.name}" reads the team archive service: it has no WeCom credentials`);
  }
}

/** The profile's private keys by public_key_ver; a key that fails to load is logged and skipped. */
export async function loadKeyRing(profile: Profile, secret: SecretReader, logger: Logger): Promise<KeyRing> {
  const keyRing = new KeyRing();
  for (const v of profile.keyVersions) {
    const pem = await secret(`privateKey.${v}`);
    if (!pem) continue;
    try {
      keyRing.add(v, pem);
    } catch (e) {
      logger.warn(`Private key version ${v} of profile "${profile.name}" could not be loaded: ${(e as Error).message}`);
    }
  }
  return keyRing;
}

export async function connect(profile: Profile, secret: SecretReader, logger: Logger, extra: Partial<WeComClientOptions> = {}): Promise<Connection> {
  const baseUrl = effectiveBaseUrl(profile);
  const proxy = proxyFromSettings();
  const transport = new HttpTransport({ proxy, strictSSL: proxy?.strictSSL });
  const tokenSource = await tokenSourceFor(profile, secret, transport, baseUrl, logger);
  const client = new WeComClient({ tokenSource, baseUrl, transport, logger, ...extra });
  const keyRing = await loadKeyRing(profile, secret, logger);
  return {
    profile,
    client,
    tokenSource,
    clientSpec: { baseUrl, ...(proxy ? { proxy } : {}) },
    keyRing,
    dispose: () => {
      void client.close();
      void transport.close();
    },
  };
}
