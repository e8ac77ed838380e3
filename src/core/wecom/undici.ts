/**
 * The parts of undici the transport uses, each from its own module. undici's index loads all of it
 * (fetch, WebSocket, caches, mocks: 520 KB of a 700 KB host bundle) and a bundler cannot drop unused
 * CommonJS; a keep-alive HTTP/1.1 request, direct or through a proxy, needs only these three.
 */
import type * as undici from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import ProxyAgentClass from 'undici/lib/dispatcher/proxy-agent.js';
import apiRequest from 'undici/lib/api/api-request.js';

export type Dispatcher = undici.Dispatcher;
export const Agent = AgentClass;
export type Agent = undici.Agent;
export const ProxyAgent = ProxyAgentClass;
export type ProxyAgent = undici.ProxyAgent;

/** undici's `request(url, { dispatcher, … })`: the URL split into origin and path, as its index does. */
export function request(url: URL, options: Omit<undici.Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher }): Promise<undici.Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  return apiRequest.call(dispatcher, { ...rest, origin: url.origin, path: `${url.pathname}${url.search}` });
}
