/**
 * The service's config file (server.json) and the secrets it names. Secrets never sit in the file:
 * each is named by `<name>Env` (an environment variable) or `<name>File` (a file holding it, e.g. a
 * mounted Kubernetes/Docker secret), and a literal secret is refused. `checkConfig` lists every
 * problem at once, each with its JSON path and the rule it breaks (`--check-config`).
 *
 * {
 *   "database": { "url": "postgres://archive@db.internal:5432/archive", "passwordEnv": "ARCHIVE_DB_PASSWORD" },
 *   "listen": { "host": "127.0.0.1", "port": 8080 },
 *   "concurrency": 4, "intervalSeconds": 300, "leaseTtlSeconds": 30, "pageSize": 1000,
 *   "baseUrl": "https://qyapi.weixin.qq.com",
 *   "suite": { "suiteId": "ww…", "suiteSecretEnv": "SUITE_SECRET", "suiteTicketFile": "/run/wecom/suite_ticket",
 *              "permanentCodeKeyEnv": "PERMANENT_CODE_KEY" },
 *   "corps": [
 *     { "corpId": "wx…", "permanentCodeEnv": "PERMANENT_CODE_WX1" },
 *     { "corpId": "wy…", "tokenService": { "url": "https://tokens.internal/corp/wy", "bearerEnv": "TOKEN_SERVICE_KEY" } }
 *   ]
 * }
 */
import { readFileSync } from 'node:fs';
import { aesKeyOf, CallbackCryptoError } from '../core/wecom/callbackCrypto';
import { MIN_KEY_CHARS } from './auth/codeSeal';

export interface SecretRef {
  env?: string;
  file?: string;
}

export interface CorpConfig {
  corpId: string;
  /** Suite chain: the corp's permanent code (with the config's `suite`). */
  permanentCode?: SecretRef;
  /** Or the provider's token service (中控). */
  tokenService?: { url: string; bearer?: SecretRef };
}

export interface ServerConfig {
  database: { url: string; password?: SecretRef };
  listen: { host: string; port: number };
  concurrency: number;
  intervalSeconds: number;
  leaseTtlSeconds: number;
  /** sync_msg page size, 1..1000 (default 1000; lower it when WeCom answers 301058). */
  pageSize: number;
  baseUrl?: string;
  /**
   * `permanentCodeKey` seals the permanent codes that create_auth brings (stored in PostgreSQL,
   * auth/codeSeal.ts); without it a create_auth is logged and not acted on.
   */
  suite?: { suiteId: string; suiteSecret: SecretRef; suiteTicket: SecretRef; permanentCodeKey?: SecretRef };
  corps: CorpConfig[];
  /** The team API (docs/team-api.md): keys by their SHA-256, and the audit log's file. */
  team?: { auditLog: string; keys: TeamKeyConfig[] };
  /** WeCom's suite callbacks, received at `path` (docs/wecom-api.md §8); needs `suite`. */
  callback?: { path: string; token: SecretRef; encodingAesKey: SecretRef };
}

export interface TeamKeyConfig {
  user: string;
  /** Hex SHA-256 of the key (the key itself is never in the config). */
  sha256: string;
  /** Corp ids the key may read, or ["*"]. */
  corps: string[];
  admin: boolean;
}

export const DEFAULTS = { host: '127.0.0.1', port: 8080, concurrency: 4, intervalSeconds: 300, leaseTtlSeconds: 30, pageSize: 1000 };

/** Keys that would hold a secret's value: the config must name where it is instead. */
const LITERAL_SECRETS = ['password', 'suiteSecret', 'suiteTicket', 'permanentCode', 'permanentCodeKey', 'bearer', 'secret', 'token', 'accessToken'];

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The config, or every problem found (path: rule). */
export function checkConfig(raw: unknown): { config?: ServerConfig; problems: string[] } {
  const problems: string[] = [];
  const bad = (path: string, rule: string): undefined => {
    problems.push(`${path}: ${rule}`);
    return undefined;
  };
  if (!isObject(raw)) return { problems: ['(root): must be a JSON object'] };

  const known = (o: Json, path: string, keys: string[]): void => {
    for (const k of Object.keys(o)) {
      if (LITERAL_SECRETS.includes(k)) bad(`${path}.${k}`, `secrets may not be written in the config: name an environment variable (${k}Env) or a file (${k}File)`);
      else if (!keys.includes(k)) bad(`${path}.${k}`, `unknown setting (known: ${keys.join(', ')})`);
    }
  };
  const str = (o: Json, key: string, path: string, required = true): string | undefined => {
    const v = o[key];
    if (v === undefined) return required ? bad(`${path}.${key}`, 'is required') : undefined;
    if (typeof v !== 'string' || v.trim() === '') return bad(`${path}.${key}`, 'must be a non-empty string');
    return v;
  };
  const int = (o: Json, key: string, path: string, def: number, min: number, max: number): number => {
    const v = o[key];
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      bad(`${path}.${key}`, `must be an integer from ${min} to ${max}`);
      return def;
    }
    return v;
  };
  const secret = (o: Json, name: string, path: string, required: boolean): SecretRef | undefined => {
    const env = o[`${name}Env`];
    const file = o[`${name}File`];
    if (env === undefined && file === undefined) return required ? bad(`${path}.${name}Env`, `is required (or ${name}File)`) : undefined;
    if (env !== undefined && file !== undefined) return bad(`${path}.${name}Env`, `give ${name}Env or ${name}File, not both`);
    if (env !== undefined) return typeof env === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(env) ? { env } : bad(`${path}.${name}Env`, 'must be an environment variable name');
    return typeof file === 'string' && file !== '' ? { file } : bad(`${path}.${name}File`, 'must be a file path');
  };
  const url = (v: string | undefined, path: string, protocols: string[]): string | undefined => {
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) return bad(path, `must be a ${protocols.join(' or ')} URL`);
      return v;
    } catch {
      return bad(path, 'is not a URL');
    }
  };

  known(raw, '', ['database', 'listen', 'concurrency', 'intervalSeconds', 'leaseTtlSeconds', 'pageSize', 'baseUrl', 'suite', 'corps', 'team', 'callback', '$schema']);

  let database: ServerConfig['database'] | undefined;
  if (!isObject(raw.database)) bad('database', 'is required: {"url": "postgres://user@host:5432/db", "passwordEnv": "…"}');
  else {
    known(raw.database, 'database', ['url', 'passwordEnv', 'passwordFile']);
    const u = url(str(raw.database, 'url', 'database'), 'database.url', ['postgres:', 'postgresql:']);
    if (u !== undefined) {
      const parsed = new URL(u);
      if (parsed.password || parsed.searchParams.has('password')) bad('database.url', 'holds a password: remove it and set database.passwordEnv or database.passwordFile');
      else {
        const password = secret(raw.database, 'password', 'database', false);
        database = { url: u, ...(password ? { password } : {}) };
      }
    }
  }

  const listen = { host: DEFAULTS.host, port: DEFAULTS.port };
  if (raw.listen !== undefined) {
    if (!isObject(raw.listen)) bad('listen', 'must be {"host": "127.0.0.1", "port": 8080}');
    else {
      known(raw.listen, 'listen', ['host', 'port']);
      listen.host = str(raw.listen, 'host', 'listen', false) ?? DEFAULTS.host;
      listen.port = int(raw.listen, 'port', 'listen', DEFAULTS.port, 0, 65535);
    }
  }
  const concurrency = int(raw, 'concurrency', '', DEFAULTS.concurrency, 1, 256);
  // At most a day: sync_msg keeps messages 5 days, and a failing corp needs retries well within them.
  const intervalSeconds = int(raw, 'intervalSeconds', '', DEFAULTS.intervalSeconds, 1, 86_400);
  const leaseTtlSeconds = int(raw, 'leaseTtlSeconds', '', DEFAULTS.leaseTtlSeconds, 1, 3600);
  const pageSize = int(raw, 'pageSize', '', DEFAULTS.pageSize, 1, 1000);
  const baseUrl = raw.baseUrl === undefined ? undefined : url(str(raw, 'baseUrl', ''), '.baseUrl', ['https:', 'http:']);

  let suite: ServerConfig['suite'];
  if (raw.suite !== undefined) {
    if (!isObject(raw.suite)) bad('suite', 'must be {"suiteId", "suiteSecretEnv"|"suiteSecretFile", "suiteTicketEnv"|"suiteTicketFile", "permanentCodeKeyEnv"|"permanentCodeKeyFile"?}');
    else {
      known(raw.suite, 'suite', ['suiteId', 'suiteSecretEnv', 'suiteSecretFile', 'suiteTicketEnv', 'suiteTicketFile', 'permanentCodeKeyEnv', 'permanentCodeKeyFile']);
      const suiteId = str(raw.suite, 'suiteId', 'suite');
      const suiteSecret = secret(raw.suite, 'suiteSecret', 'suite', true);
      const suiteTicket = secret(raw.suite, 'suiteTicket', 'suite', true);
      const permanentCodeKey = secret(raw.suite, 'permanentCodeKey', 'suite', false);
      if (suiteId && suiteSecret && suiteTicket) suite = { suiteId, suiteSecret, suiteTicket, ...(permanentCodeKey ? { permanentCodeKey } : {}) };
    }
  }

  const corps: CorpConfig[] = [];
  // Without corps the service still serves the corps that authorize through create_auth.
  const corpsFromCallbacks = isObject(raw.suite) && isObject(raw.callback) && (raw.suite.permanentCodeKeyEnv !== undefined || raw.suite.permanentCodeKeyFile !== undefined);
  const listed = raw.corps === undefined && corpsFromCallbacks ? [] : raw.corps;
  if (!Array.isArray(listed) || (listed.length === 0 && !corpsFromCallbacks)) bad('corps', 'is required: a list of at least one corp (or none, with callbacks and suite.permanentCodeKeyEnv/File)');
  else {
    const seen = new Set<string>();
    for (const [i, c] of (listed as unknown[]).entries()) {
      const path = `corps[${i}]`;
      if (!isObject(c)) {
        bad(path, 'must be an object');
        continue;
      }
      known(c, path, ['corpId', 'permanentCodeEnv', 'permanentCodeFile', 'tokenService']);
      const corpId = str(c, 'corpId', path);
      if (corpId && seen.has(corpId)) bad(`${path}.corpId`, `${corpId} is listed twice`);
      if (corpId) seen.add(corpId);
      const permanentCode = secret(c, 'permanentCode', path, false);
      let tokenService: CorpConfig['tokenService'];
      if (c.tokenService !== undefined) {
        if (!isObject(c.tokenService)) bad(`${path}.tokenService`, 'must be {"url", "bearerEnv"|"bearerFile"}');
        else {
          known(c.tokenService, `${path}.tokenService`, ['url', 'bearerEnv', 'bearerFile']);
          const u = url(str(c.tokenService, 'url', `${path}.tokenService`), `${path}.tokenService.url`, ['https:', 'http:']);
          const bearer = secret(c.tokenService, 'bearer', `${path}.tokenService`, false);
          if (u) tokenService = { url: u, ...(bearer ? { bearer } : {}) };
        }
      }
      if (permanentCode && c.tokenService !== undefined) bad(path, 'give permanentCodeEnv/File (suite chain) or tokenService, not both');
      else if (!permanentCode && c.tokenService === undefined) bad(path, 'needs a token: permanentCodeEnv/File (with "suite") or tokenService');
      if (permanentCode && !isObject(raw.suite)) bad(path, 'a permanent code needs the config\'s "suite" (suiteId, suite secret, suite ticket)');
      if (corpId && (permanentCode || tokenService)) {
        corps.push({ corpId, ...(permanentCode ? { permanentCode } : {}), ...(tokenService ? { tokenService } : {}) });
      }
    }
  }
  let team: ServerConfig['team'];
  if (raw.team !== undefined) {
    if (!isObject(raw.team)) bad('team', 'must be {"auditLog": "/var/log/wecom-audit.jsonl", "keys": [{"user", "sha256", "corps", "admin"?}]}');
    else {
      known(raw.team, 'team', ['auditLog', 'keys']);
      const auditLog = str(raw.team, 'auditLog', 'team');
      const keys: TeamKeyConfig[] = [];
      if (!Array.isArray(raw.team.keys)) bad('team.keys', 'must be a list of {"user", "sha256", "corps", "admin"?}');
      else {
        for (const [i, k] of (raw.team.keys as unknown[]).entries()) {
          const path = `team.keys[${i}]`;
          if (!isObject(k)) {
            bad(path, 'must be an object');
            continue;
          }
          known(k, path, ['user', 'sha256', 'corps', 'admin']);
          const user = str(k, 'user', path);
          const sha256 = str(k, 'sha256', path);
          if (sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha256)) bad(`${path}.sha256`, 'must be 64 hex digits: the SHA-256 of the key (sha256sum), never the key');
          const corps = k.corps;
          if (!Array.isArray(corps) || !corps.every((c) => typeof c === 'string' && c !== '')) bad(`${path}.corps`, 'must be a list of corp ids, or ["*"]');
          if (k.admin !== undefined && typeof k.admin !== 'boolean') bad(`${path}.admin`, 'must be true or false');
          if (user && sha256 && Array.isArray(corps)) keys.push({ user, sha256, corps: corps as string[], admin: k.admin === true });
        }
      }
      if (auditLog) team = { auditLog, keys };
    }
  }

  let callback: ServerConfig['callback'];
  if (raw.callback !== undefined) {
    if (!isObject(raw.callback)) bad('callback', 'must be {"path"?, "tokenEnv"|"tokenFile", "encodingAesKeyEnv"|"encodingAesKeyFile"}');
    else {
      known(raw.callback, 'callback', ['path', 'tokenEnv', 'tokenFile', 'encodingAesKeyEnv', 'encodingAesKeyFile']);
      const path = raw.callback.path === undefined ? '/wecom/callback' : str(raw.callback, 'path', 'callback');
      if (path !== undefined && (!path.startsWith('/') || path.startsWith('/v1/') || ['/healthz', '/readyz', '/metrics'].includes(path))) {
        bad('callback.path', 'must start with / and not be one of the service\'s own paths (/v1/…, /healthz, /readyz, /metrics)');
      }
      const token = secret(raw.callback, 'token', 'callback', true);
      const encodingAesKey = secret(raw.callback, 'encodingAesKey', 'callback', true);
      if (!isObject(raw.suite)) bad('callback', 'suite callbacks need the config\'s "suite" (their receiver id is the suite id)');
      if (path && token && encodingAesKey) callback = { path, token, encodingAesKey };
    }
  }

  if (problems.length > 0 || !database) return { problems };
  return {
    config: {
      database,
      listen,
      concurrency,
      intervalSeconds,
      leaseTtlSeconds,
      pageSize,
      ...(baseUrl ? { baseUrl } : {}),
      ...(suite ? { suite } : {}),
      corps,
      ...(team ? { team } : {}),
      ...(callback ? { callback } : {}),
    },
    problems,
  };
}

/** Reads the file and checks it. */
export function loadConfig(file: string): { config?: ServerConfig; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { problems: [`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { problems: [`${file}: is not JSON (${(error as Error).message})`] };
  }
  return checkConfig(raw);
}

/** A secret's value now (files are read each time: a rotated secret is picked up). */
export function readSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string {
  if (ref.env !== undefined) {
    const v = env[ref.env];
    if (v === undefined || v === '') throw new Error(`environment variable ${ref.env} is not set`);
    return v;
  }
  try {
    return readFileSync(ref.file!, 'utf8').trim();
  } catch (error) {
    throw new Error(`secret file ${ref.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Every secret the config names, resolved now: the problems (missing variables, unreadable files). */
export function checkSecrets(config: ServerConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  const check = (ref: SecretRef | undefined, path: string): void => {
    if (!ref) return;
    try {
      readSecret(ref, env);
    } catch (error) {
      problems.push(`${path}: ${(error as Error).message}`);
    }
  };
  check(config.database.password, 'database.password');
  check(config.suite?.suiteSecret, 'suite.suiteSecret');
  check(config.suite?.suiteTicket, 'suite.suiteTicket');
  if (config.suite?.permanentCodeKey) {
    try {
      if (readSecret(config.suite.permanentCodeKey, env).length < MIN_KEY_CHARS) problems.push(`suite.permanentCodeKey: must be at least ${MIN_KEY_CHARS} characters (e.g. openssl rand -base64 32)`);
    } catch (error) {
      problems.push(`suite.permanentCodeKey: ${(error as Error).message}`);
    }
  }
  check(config.callback?.token, 'callback.token');
  check(config.callback?.encodingAesKey, 'callback.encodingAesKey');
  if (config.callback) {
    try {
      aesKeyOf(readSecret(config.callback.encodingAesKey, env));
    } catch (error) {
      if (error instanceof CallbackCryptoError) problems.push(`callback.encodingAesKey: ${error.message}`);
    }
  }
  config.corps.forEach((c, i) => {
    check(c.permanentCode, `corps[${i}].permanentCode`);
    check(c.tokenService?.bearer, `corps[${i}].tokenService.bearer`);
  });
  return problems;
}
