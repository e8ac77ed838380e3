/**
 * Which URLs the client may talk to. The access token rides in the query string, so plain `http:`
 * would put it on the wire in clear text; it is allowed only for loopback (the built-in simulator,
 * a local relay), where it never leaves the machine.
 */
import { ConfigError, type ConfigSetting } from './errors';
import { redactUrl } from './redact';
import { phrase } from '../../shared/text';

export const DEFAULT_BASE_URL = 'https://qyapi.weixin.qq.com';

/** `URL.hostname` spelling: IPv6 keeps its brackets. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]') return true;
  // IPv4-mapped loopback, as the URL parser normalizes it.
  if (/^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host)) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return v4 !== null && v4[1] === '127';
}

/**
 * Parse and check a URL the client will send secrets to. Returns the URL without a trailing slash
 * on the path, so paths can be appended.
 */
export function checkSecureUrl(raw: string, setting: ConfigSetting): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(setting, phrase('Not a valid URL: {0}', redactUrl(raw)));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(setting, phrase('Only https: URLs are supported (got {0}).', url.protocol));
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(setting, phrase(
        'Insecure URL {0}: the access token would travel in clear text. http: is only allowed for loopback hosts (127.0.0.1, localhost, [::1]); use https: otherwise.',
        redactUrl(url.origin),
      ));
  }
  if (url.username || url.password) {
    throw new ConfigError(setting, phrase('The URL must not contain a user name or password.'));
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/** For settings UIs: the problem with a base URL, or undefined when it is fine. */
export function baseUrlProblem(raw: string): ConfigError | undefined {
  try {
    checkSecureUrl(raw, 'baseUrl');
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}
