import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WeComClient } from '../../../src/core/wecom/client';
import { ConfigError } from '../../../src/core/wecom/errors';
import { isNoProxyHost, selectProxy } from '../../../src/core/wecom/proxy';
import { StaticTokenSource, TokenServiceSource } from '../../../src/core/wecom/tokens';
import { HttpTransport } from '../../../src/core/wecom/transport';
import { capturingLogger, ok, startForwardProxy, startServer } from './helpers';

const TOKEN = 'PROXY_TEST_TOKEN_9f8e7d';

describe('proxy selection', () => {
  const https = new URL('https://qyapi.weixin.qq.com/cgi-bin/chatdata/sync_msg');
  const http = new URL('http://relay.example.com/x');

  it('explicit proxy wins; env HTTPS_PROXY for https:, HTTP_PROXY for http:', () => {
    assert.equal(selectProxy(https, { url: 'http://p:1' }, { HTTPS_PROXY: 'http://env:2' })?.host, 'p:1');
    assert.equal(selectProxy(https, undefined, { HTTPS_PROXY: 'http://env:2' })?.host, 'env:2');
    assert.equal(selectProxy(https, undefined, { https_proxy: 'env:3' })?.host, 'env:3');
    assert.equal(selectProxy(https, undefined, { HTTP_PROXY: 'http://env:4' })?.host, 'env:4');
    assert.equal(selectProxy(http, undefined, { HTTPS_PROXY: 'http://env:2' }), undefined);
    assert.equal(selectProxy(http, undefined, { HTTP_PROXY: 'http://env:5' })?.host, 'env:5');
    assert.equal(selectProxy(https, undefined, {}), undefined);
    assert.equal(selectProxy(https, { url: '' }, {}), undefined);
  });

  it('NO_PROXY and loopback bypass the proxy', () => {
    const env = { HTTPS_PROXY: 'http://env:2', NO_PROXY: '.weixin.qq.com' };
    assert.equal(selectProxy(https, undefined, env), undefined);
    assert.equal(selectProxy(https, { url: 'http://p:1' }, env), undefined);
    assert.equal(selectProxy(https, { url: 'http://p:1', noProxy: 'qyapi.weixin.qq.com' }, {}), undefined);
    assert.equal(selectProxy(new URL('http://127.0.0.1:9/x'), { url: 'http://p:1' }, {}), undefined);
    assert.equal(selectProxy(new URL('http://localhost:9/x'), { url: 'http://p:1' }, {}), undefined);
    assert.equal(selectProxy(new URL('http://[::1]:9/x'), { url: 'http://p:1' }, {}), undefined);
    assert.equal(selectProxy(new URL('http://127.0.0.1:9/x'), { url: 'http://p:1', proxyLoopback: true }, {})?.host, 'p:1');
  });

  it('NO_PROXY entry forms', () => {
    const u = new URL('https://api.example.com:8443/');
    assert.ok(isNoProxyHost('*', u));
    assert.ok(isNoProxyHost('example.com', u));
    assert.ok(isNoProxyHost('.example.com', u));
    assert.ok(isNoProxyHost('*.example.com', u));
    assert.ok(isNoProxyHost('other.org, api.example.com:8443', u));
    assert.ok(!isNoProxyHost('api.example.com:443', u));
    assert.ok(!isNoProxyHost('ample.com', u));
    assert.ok(!isNoProxyHost('', u));
  });

  it('refuses unsupported proxy protocols', () => {
    assert.throws(() => selectProxy(https, { url: 'ftp://p:1' }, {}), ConfigError);
  });
});

describe('proxy use', () => {
  it('sends API calls through the configured proxy as absolute-URI requests', async () => {
    const server = await startServer(() => ok({ has_more: 0, msg_list: [] }));
    const proxy = await startForwardProxy();
    const logger = capturingLogger();
    const client = new WeComClient({
      tokenSource: new StaticTokenSource({ token: TOKEN }),
      baseUrl: server.url,
      proxy: { url: proxy.url, strictSSL: true, proxyLoopback: true },
      env: {},
      logger,
    });
    try {
      await client.syncMsg({});
      await client.searchMsg({ query_word: '合同' });
      assert.equal(proxy.forwarded.length, 2);
      assert.equal(server.requests.length, 2);
      assert.ok(proxy.forwarded[0]?.startsWith(`${server.url}/cgi-bin/chatdata/sync_msg?access_token=`));
      assert.match(client.describe(), /via proxy http:\/\/127\.0\.0\.1/);
      assert.ok(logger.lines.some((l) => l.includes('(proxy http://127.0.0.1')));
      for (const line of logger.lines) assert.ok(!line.includes(TOKEN));
    } finally {
      await client.close();
      await proxy.close();
      await server.close();
    }
  });

  it('honours HTTP_PROXY from the environment and NO_PROXY', async () => {
    const server = await startServer(() => ok());
    const proxy = await startForwardProxy();
    const tokenSource = new StaticTokenSource({ token: TOKEN });
    const viaEnv = new WeComClient({ tokenSource, baseUrl: server.url, env: { HTTP_PROXY: proxy.url }, proxy: { proxyLoopback: true } });
    const bypass = new WeComClient({
      tokenSource,
      baseUrl: server.url,
      env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
      proxy: { proxyLoopback: true },
    });
    const loopbackDefault = new WeComClient({ tokenSource, baseUrl: server.url, env: { HTTP_PROXY: proxy.url } });
    try {
      await viaEnv.syncMsg({});
      assert.equal(proxy.forwarded.length, 1);
      await bypass.syncMsg({});
      await loopbackDefault.syncMsg({});
      assert.equal(proxy.forwarded.length, 1);
      assert.equal(server.requests.length, 3);
    } finally {
      await Promise.all([viaEnv.close(), bypass.close(), loopbackDefault.close()]);
      await proxy.close();
      await server.close();
    }
  });

  it('token sources share the transport and its proxy', async () => {
    const server = await startServer(() => ({ json: { access_token: 'SVC_TOKEN_1234', expires_in: 7200 } }));
    const proxy = await startForwardProxy();
    const transport = new HttpTransport({ proxy: { url: proxy.url, proxyLoopback: true }, env: {} });
    try {
      const source = new TokenServiceSource({ url: `${server.url}/token`, transport });
      assert.equal(await source.getToken(), 'SVC_TOKEN_1234');
      assert.equal(proxy.forwarded.length, 1);
    } finally {
      await transport.close();
      await proxy.close();
      await server.close();
    }
  });

  it('proxy credentials never appear in descriptions', async () => {
    const client = new WeComClient({
      tokenSource: new StaticTokenSource({ token: TOKEN }),
      proxy: { url: 'http://user:PROXY_PASSWORD@127.0.0.1:3128' },
      env: {},
    });
    assert.ok(!client.describe().includes('PROXY_PASSWORD'));
    assert.match(client.describe(), /\*\*\*@127\.0\.0\.1:3128/);
    await client.close();
  });
});
