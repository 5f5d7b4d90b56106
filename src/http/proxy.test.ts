import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from './client.js';
import { bypassesProxy, proxyFor } from './proxy.js';

describe('proxy selection', () => {
  const env = {
    HTTPS_PROXY: 'http://proxy.corp:3128',
    http_proxy: 'proxy.corp:8080',
    NO_PROXY: 'localhost,.internal.example, 10.0.0.1:8443',
  };
  it.each([
    ['https://api.osv.dev/v1/querybatch', 'http://proxy.corp:3128/'],
    ['http://pypi.example/simple', 'http://proxy.corp:8080/'],
    ['http://localhost:9000/', null],
    ['https://osv.internal.example/', null],
    ['https://internal.example/', null],
    ['https://10.0.0.1:8443/', null],
    ['https://10.0.0.1:443/', 'http://proxy.corp:3128/'],
  ])('%s → %s', (url, proxy) => {
    expect(proxyFor(new URL(url), env)?.href ?? null).toBe(proxy);
  });

  it('NO_PROXY=* bypasses everything; no variables means direct', () => {
    expect(bypassesProxy(new URL('https://a.b/'), '*')).toBe(true);
    expect(proxyFor(new URL('https://a.b/'), {})).toBeNull();
  });

  it('an unparseable proxy is an error, not a silent direct connection', () => {
    expect(() => proxyFor(new URL('https://a.b/'), { HTTPS_PROXY: 'http://[bad' })).toThrow(
      'HTTPS_PROXY is not a valid proxy URL: http://[bad',
    );
  });
});

describe('requests through an HTTP proxy', () => {
  let origin: Server;
  let proxy: Server;
  const seen: string[] = [];
  let originUrl = '';
  let proxyUrl = '';

  beforeAll(async () => {
    origin = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url, host: req.headers.host }));
    });
    // A forward proxy: absolute-form requests are relayed to the origin.
    proxy = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} auth=${req.headers['proxy-authorization'] ?? '-'}`);
      const target = new URL(req.url!);
      const upstream = httpRequest(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (up) => {
          res.writeHead(up.statusCode!, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await Promise.all(
      [origin, proxy].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))),
    );
    originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    proxyUrl = `http://user:p%40ss@127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all([origin, proxy].map((s) => new Promise((r) => s.close(r))));
  });

  it('sends the absolute URL to the proxy, with its credentials', async () => {
    const client = createHttpClient({ env: { HTTP_PROXY: proxyUrl } });
    const response = await client.get(`${originUrl}/v1/vulns/X`);
    expect(client.json(response, originUrl)).toEqual({
      path: '/v1/vulns/X',
      host: originUrl.slice('http://'.length),
    });
    expect(seen).toEqual([
      `GET ${originUrl}/v1/vulns/X auth=Basic ${Buffer.from('user:p@ss').toString('base64')}`,
    ]);
    await client.close();
  });

  it('connects directly to hosts in NO_PROXY', async () => {
    seen.length = 0;
    const client = createHttpClient({ env: { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' } });
    await client.get(`${originUrl}/direct`);
    expect(seen).toEqual([]);
    await client.close();
  });
});
