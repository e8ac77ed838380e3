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
 *   "suite": { "suiteId": "ww…", "suiteSecretEnv": "SUITE_SECRET", "suiteTicketFile": "/run/wecom/suite_ticket" },
 *   "corps": [
 *     { "corpId": "wx…", "permanentCodeEnv": "PERMANENT_CODE_WX1" },
 *     { "corpId": "wy…", "tokenService": { "url": "https://tokens.internal/corp/wy", "bearerEnv": "TOKEN_SERVICE_KEY" } }
 *   ]
 * }
 */
import { readFileSync } from 'node:fs';

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
  suite?: { suiteId: string; suiteSecret: SecretRef; suiteTicket: SecretRef };
  corps: CorpConfig[];
}

export const DEFAULTS = { host: '127.0.0.1', port: 8080, concurrency: 4, intervalSeconds: 300, leaseTtlSeconds: 30, pageSize: 1000 };

/** Keys that would hold a secret's value: the config must name where it is instead. */
const LITERAL_SECRETS = ['password', 'suiteSecret', 'suiteTicket', 'permanentCode', 'bearer', 'secret', 'token', 'accessToken'];

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

  known(raw, '', ['database', 'listen', 'concurrency', 'intervalSeconds', 'leaseTtlSeconds', 'pageSize', 'baseUrl', 'suite', 'corps', '$schema']);

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
    if (!isObject(raw.suite)) bad('suite', 'must be {"suiteId", "suiteSecretEnv"|"suiteSecretFile", "suiteTicketEnv"|"suiteTicketFile"}');
    else {
      known(raw.suite, 'suite', ['suiteId', 'suiteSecretEnv', 'suiteSecretFile', 'suiteTicketEnv', 'suiteTicketFile']);
      const suiteId = str(raw.suite, 'suiteId', 'suite');
      const suiteSecret = secret(raw.suite, 'suiteSecret', 'suite', true);
      const suiteTicket = secret(raw.suite, 'suiteTicket', 'suite', true);
      if (suiteId && suiteSecret && suiteTicket) suite = { suiteId, suiteSecret, suiteTicket };
    }
  }

  const corps: CorpConfig[] = [];
  if (!Array.isArray(raw.corps) || raw.corps.length === 0) bad('corps', 'is required: a list of at least one corp');
  else {
    const seen = new Set<string>();
    for (const [i, c] of (raw.corps as unknown[]).entries()) {
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
  if (problems.length > 0 || !database) return { problems };
  return {
    config: { database, listen, concurrency, intervalSeconds, leaseTtlSeconds, pageSize, ...(baseUrl ? { baseUrl } : {}), ...(suite ? { suite } : {}), corps },
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
  config.corps.forEach((c, i) => {
    check(c.permanentCode, `corps[${i}].permanentCode`);
    check(c.tokenService?.bearer, `corps[${i}].tokenService.bearer`);
  });
  return problems;
}
