/**
 * Proxy selection. A provider's calls must come from a whitelisted IP (errcode 60020), so a laptop
 * usually reaches WeCom through a proxy: VS Code's `http.proxy` (passed in by the host) first, then
 * the conventional HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment variables. Loopback is never
 * proxied by default, because the simulator and local relays live there.
 */
import { ConfigError } from './errors';
import { redactUrl } from './redact';
import { isLoopbackHost } from './urls';
import { phrase } from '../../shared/text';

export interface ProxyOptions {
  /** `http://[user:pass@]host:port` (or https:). Empty = no explicit proxy (env may still apply). */
  url?: string;
  /** VS Code's `http.proxyStrictSSL`: verify TLS certificates of the proxy and the target. */
  strictSSL?: boolean;
  /** Extra NO_PROXY-style entries, added to the environment's. */
  noProxy?: string;
  /** Send loopback traffic through the proxy too (tests; unusual setups). Default false. */
  proxyLoopback?: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

function envValue(env: Env, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value?.trim() ? value.trim() : undefined;
}

/** One NO_PROXY entry matcher: `*`, `host`, `.domain`, `*.domain`, `host:port`, IP. */
function matchesNoProxyEntry(entry: string, hostname: string, port: number): boolean {
  if (entry === '*') return true;
  let pattern = entry.toLowerCase();
  let entryPort: number | undefined;
  // "host:port" or "[v6]:port"; a bare IPv6 address has several colons and no port.
  const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(pattern);
  if (withPort?.[1] && withPort[2]) {
    pattern = withPort[1];
    entryPort = Number(withPort[2]);
  }
  if (entryPort !== undefined && entryPort !== port) return false;
  pattern = pattern.replace(/^\*/, '');
  const host = hostname.toLowerCase();
  if (pattern.startsWith('.')) return host.endsWith(pattern) || host === pattern.slice(1);
  return host === pattern || host.endsWith(`.${pattern}`);
}

export function isNoProxyHost(noProxy: string | undefined, url: URL): boolean {
  if (!noProxy) return false;
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => matchesNoProxyEntry(entry, url.hostname, port));
}

/** The proxy URL to use for `target`, or undefined to connect directly. */
export function selectProxy(target: URL, options: ProxyOptions | undefined, env: Env): URL | undefined {
  const explicit = options?.url?.trim();
  const fromEnv =
    target.protocol === 'https:'
      ? (envValue(env, 'HTTPS_PROXY') ?? envValue(env, 'HTTP_PROXY'))
      : envValue(env, 'HTTP_PROXY');
  const raw = explicit || fromEnv;
  if (!raw) return undefined;
  if (isLoopbackHost(target.hostname) && !options?.proxyLoopback) return undefined;
  const noProxy = [envValue(env, 'NO_PROXY'), options?.noProxy].filter(Boolean).join(',');
  if (isNoProxyHost(noProxy, target)) return undefined;
  return parseProxyUrl(raw);
}

export function parseProxyUrl(raw: string): URL {
  let url: URL;
  try {
    // "host:port" without a scheme is common in env vars; treat it as http.
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new ConfigError('proxy', phrase('Invalid proxy URL: {0}', redactUrl(raw)));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('proxy', phrase('Unsupported proxy protocol {0} (only http: and https:).', url.protocol));
  }
  return url;
}
