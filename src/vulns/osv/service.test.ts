import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoRecords } from '../../../test/helpers/fixtures.js';
import { tempDirs } from '../../../test/helpers/temp-dirs.js';
import { startOsvServer, type OsvTestServer } from '../../../test/osv-server.js';
import type { ResolvedDependency } from '../../core/dependency.js';
import { queryCache } from '../../cache/queries.js';
import { recordCache } from '../../cache/records.js';
import { summaryCache } from '../../cache/summaries.js';
import { createHttpClient, type HttpClient } from '../../http/client.js';
import type { OsvRecord } from '../../standards/osv.js';
import { createOsvService, osvBaseUrl } from './service.js';

const demoIds = ['GHSA-aaaa-bbbb-cccc', 'OSV-2099-7', 'PYSEC-2099-1', 'PYSEC-2099-2'];
const modifiedOf = (id: string): string => demoRecords().find((r) => r.id === id)!.modified!;

const dep = (name: string, version: string): ResolvedDependency => ({
  kind: 'resolved',
  name,
  displayName: name,
  version,
  origin: { file: 'requirements.txt', line: 1 },
});

let server: OsvTestServer;
let http: HttpClient | undefined;

beforeAll(async () => {
  server = await startOsvServer(demoRecords());
});
afterAll(() => server.close());
const tempDir = tempDirs();
afterEach(async () => {
  server.options = {};
  server.resetStats();
  await http?.close();
  http = undefined;
});

function service(
  extra: {
    cacheDir?: string;
    concurrency?: number;
    timeoutSeconds?: number;
    attempts?: number;
  } = {},
) {
  http = createHttpClient({
    env: {},
    timeoutSeconds: extra.timeoutSeconds ?? 5,
    attempts: extra.attempts ?? 3,
  });
  return createOsvService({
    http: http,
    url: server.url,
    ...(extra.cacheDir && { cacheDir: extra.cacheDir }),
    ...(extra.concurrency && { concurrency: extra.concurrency }),
  });
}

describe('OSV service', () => {
  it('finds records through querybatch, then fetches each record once', async () => {
    const result = await service().query([
      dep('demo-pkg', '1.0.5'),
      dep('other-pkg', '0.5'),
      dep('clean-pkg', '1.0'),
      dep('demo-pkg', '1.0.5'),
    ]);
    expect(result.map((vulns) => vulns.map((v) => v.id))).toEqual([
      ['GHSA-aaaa-bbbb-cccc', 'OSV-2099-7', 'PYSEC-2099-1', 'PYSEC-2099-2'],
      ['PYSEC-2099-4'],
      [],
      ['GHSA-aaaa-bbbb-cccc', 'OSV-2099-7', 'PYSEC-2099-1', 'PYSEC-2099-2'],
    ]);
    expect(result[0]![2]).toEqual({
      id: 'PYSEC-2099-1',
      aliases: ['CVE-2099-0001', 'GHSA-aaaa-bbbb-cccc'],
      fixVersions: ['1.2.0', '2.0.3'],
      description: 'Demo flaw one. Second line.',
      source: 'osv',
      published: '2099-01-01T00:00:00Z',
      modified: '2099-01-01T00:00:00Z',
    });
    // One batch for three distinct packages, five distinct records.
    expect(server.stats.byRoute).toEqual({ query: 0, querybatch: 1, vulns: 5, other: 0 });
    expect(server.stats.batchQueries).toBe(3);
  });

  it('follows next_page_token for just the queries that have more', async () => {
    server.options = { pageSize: 1 };
    const result = await service().query([dep('demo-pkg', '1.0.5'), dep('other-pkg', '0.5')]);
    expect(result.map((v) => v.map((x) => x.id).sort())).toEqual([
      ['GHSA-aaaa-bbbb-cccc', 'OSV-2099-7', 'PYSEC-2099-1', 'PYSEC-2099-2'],
      ['PYSEC-2099-4'],
    ]);
    // demo-pkg has 4 matches at one per page: 4 batches; other-pkg only rides in the first.
    expect(server.stats.byRoute.querybatch).toBe(4);
    expect(server.stats.batchQueries).toBe(5);
  });

  it('splits more than 1,000 queries into batches of at most 1,000', async () => {
    const many = Array.from({ length: 2345 }, (_, i) => dep(`pkg-${i}`, '1.0'));
    const result = await service().query(many);
    expect(result).toHaveLength(2345);
    expect(server.stats.byRoute.querybatch).toBe(3);
    expect(server.stats.batchQueries).toBe(2345);
  });

  it('fetches records concurrently, within the bound', async () => {
    server.options = { latencyMs: 30 };
    await service({ concurrency: 2 }).query([dep('demo-pkg', '1.0.5'), dep('other-pkg', '0.5')]);
    expect(server.stats.peakInFlight).toBe(2);
    server.resetStats();
    await service({ concurrency: 32 }).query([dep('demo-pkg', '1.0.5'), dep('other-pkg', '0.5')]);
    expect(server.stats.peakInFlight).toBe(5);
  });

  it('leaves withdrawn records out', async () => {
    const [vulns] = await service().query([dep('demo-pkg', '3.0')]);
    expect(vulns).toEqual([]);
  });

  it('retries transient failures (503, dropped connections) and then succeeds', async () => {
    server.options = {
      fail: ({ count }) => (count === 1 ? 503 : count === 3 ? 'drop' : undefined),
    };
    const [vulns] = await service().query([dep('other-pkg', '0.6')]);
    expect(vulns!.map((v) => v.id)).toEqual(['PYSEC-2099-4']);
  });

  it('fails with the URL when the service keeps failing: never a partial answer', async () => {
    server.options = { fail: ({ path: p }) => (p.startsWith('/v1/vulns/') ? 500 : undefined) };
    await expect(service().query([dep('other-pkg', '0.6')])).rejects.toThrow(
      `${server.url}/v1/vulns/PYSEC-2099-4: HTTP 500 for the OSV record PYSEC-2099-4`,
    );
  });

  it('times out with the --timeout value in the message', async () => {
    server.options = { latencyMs: 1500 };
    await expect(
      service({ timeoutSeconds: 0.2, attempts: 1 }).query([dep('other-pkg', '0.6')]),
    ).rejects.toThrow(`${server.url}/v1/querybatch: no response within 0.2 s (--timeout)`);
  });

  it('rejects an answer that does not fit the question', async () => {
    const records: OsvRecord[] = [];
    const broken = await startOsvServer(records, { fail: () => 200 });
    http = createHttpClient({ env: {} });
    const svc = createOsvService({ http, url: broken.url });
    await expect(svc.query([dep('a', '1')])).rejects.toThrow(
      `${broken.url}/v1/querybatch: the OSV querybatch API answered no results for 1 queries`,
    );
    await broken.close();
  });

  it('--cache-dir keeps records by id and modified, so a repeat audit fetches none', async () => {
    const cacheDir = tempDir('pyaudit-cache-');
    await service({ cacheDir }).query([dep('demo-pkg', '1.0.5')]);
    expect(server.stats.byRoute.vulns).toBe(4);
    expect((await readdir(path.join(cacheDir, 'osv', 'vulns'))).sort()).toEqual([
      'GHSA-aaaa-bbbb-cccc.json',
      'OSV-2099-7.json',
      'PYSEC-2099-1.json',
      'PYSEC-2099-2.json',
    ]);
    server.resetStats();
    await http!.close();
    const [again] = await service({ cacheDir }).query([dep('demo-pkg', '1.0.5')]);
    expect(server.stats.byRoute).toEqual({ query: 0, querybatch: 1, vulns: 0, other: 0 });
    expect(again!.map((v) => v.id)).toEqual([
      'GHSA-aaaa-bbbb-cccc',
      'OSV-2099-7',
      'PYSEC-2099-1',
      'PYSEC-2099-2',
    ]);
  });
});

describe('reading cached records while the batch is in flight', () => {
  it('reads the records the last answers named before the batch answer arrives, and uses them', async () => {
    const cacheDir = tempDir('pyaudit-cache-');
    await service({ cacheDir }).query([dep('demo-pkg', '1.0.5')]);
    await http!.close();
    // A query cache whose answer has expired (time to live 1 s, read 10 s later): a hint only.
    const written = queryCache(cacheDir, 1, { now: () => Date.now() - 10_000 });
    written.put('demo-pkg', '1.0.5', new Map(demoIds.map((id) => [id, modifiedOf(id)])));
    await written.flush();
    server.resetStats();
    server.options = { latencyMs: 100 };
    const log: string[] = [];
    http = createHttpClient({ env: {}, onRequest: (e) => log.push(`answer ${e.url}`) });
    const [result] = await createOsvService({
      http,
      url: server.url,
      cache: recordCache(cacheDir, (e) => log.push(`${e.kind}`)),
      queryCache: queryCache(cacheDir, 1),
    }).query([dep('demo-pkg', '1.0.5')]);
    expect(server.stats.byRoute).toEqual({ query: 0, querybatch: 1, vulns: 0, other: 0 });
    expect(log).toEqual(['hit', 'hit', 'hit', 'hit', `answer ${server.url}/v1/querybatch`]);
    expect(result!.map((v) => v.id)).toEqual(demoIds);
  });

  it('reads the summaries of what each package reports from one file instead, when it has them all', async () => {
    const cacheDir = tempDir('pyaudit-cache-');
    const deps = [dep('demo-pkg', '1.0.5'), dep('other-pkg', '0.5')];
    http = createHttpClient({ env: {} });
    // The answers kept are 10 s old when read (time to live 1 s): hints only.
    const [answers, first] = [
      queryCache(cacheDir, 1, { now: () => Date.now() - 10_000 }),
      summaryCache(cacheDir),
    ];
    const expected = await createOsvService({
      http,
      url: server.url,
      cache: recordCache(cacheDir),
      queryCache: answers,
      summaries: first,
    }).query(deps);
    await Promise.all([answers.flush(), first.flush()]);
    await http.close();
    server.resetStats();
    server.options = { latencyMs: 100 };
    const log: string[] = [];
    http = createHttpClient({ env: {}, onRequest: (e) => log.push(`answer ${e.url}`) });
    const client = http;
    // The summaries are read once the batch is on its way, not before.
    const sending: HttpClient = {
      ...client,
      postJson: (url, payload, options) =>
        client.postJson(url, payload, {
          ...options,
          onSent: () => {
            log.push('sent');
            options?.onSent?.();
          },
        }),
    };
    const result = await createOsvService({
      http: sending,
      url: server.url,
      cache: recordCache(cacheDir, (e) => log.push(`record ${e.kind}`)),
      queryCache: queryCache(cacheDir, 1),
      summaries: summaryCache(cacheDir, { onHit: (id) => log.push(`summary ${id}`) }),
    }).query(deps);
    expect(result).toEqual(expected);
    expect(result[0]![2]!.ratings).toEqual(expected[0]![2]!.ratings);
    expect(server.stats.byRoute).toEqual({ query: 0, querybatch: 1, vulns: 0, other: 0 });
    expect(log).toEqual([
      'sent',
      ...[...demoIds, 'PYSEC-2099-4'].map((id) => `summary ${id}`),
      `answer ${server.url}/v1/querybatch`,
    ]);
  });

  it('a record read ahead for another package is turned into what this package reports', async () => {
    const cacheDir = tempDir('pyaudit-cache-');
    const [expected] = await service({ cacheDir }).query([dep('demo-pkg', '1.0.5')]);
    await http!.close();
    server.resetStats();
    // The hint (wrongly) says other-pkg named PYSEC-2099-1 last time; the answer says demo-pkg.
    const hints = queryCache(cacheDir, 1, { now: () => Date.now() - 10_000 });
    hints.put('other-pkg', '0.5', new Map([['PYSEC-2099-1', modifiedOf('PYSEC-2099-1')]]));
    await hints.flush();
    http = createHttpClient({ env: {} });
    const [demo, other] = await createOsvService({
      http,
      url: server.url,
      cache: recordCache(cacheDir),
      queryCache: queryCache(cacheDir, 1),
    }).query([dep('demo-pkg', '1.0.5'), dep('other-pkg', '0.5')]);
    expect(server.stats.byRoute).toEqual({ query: 0, querybatch: 1, vulns: 1, other: 0 });
    expect(demo).toEqual(expected);
    expect(other!.map((v) => v.id)).toEqual(['PYSEC-2099-4']);
  });

  it('a record read ahead that the answer says has changed is fetched again', async () => {
    const cacheDir = tempDir('pyaudit-cache-');
    const records = recordCache(cacheDir);
    const changed = demoRecords().find((r) => r.id === 'PYSEC-2099-1')!;
    const old = { ...changed, modified: '2000-01-01T00:00:00Z', summary: 'the old text' };
    await records.put(old);
    const hints = queryCache(cacheDir, 1, { now: () => Date.now() - 10_000 });
    hints.put('demo-pkg', '1.0.5', new Map([[old.id, old.modified]]));
    await hints.flush();
    http = createHttpClient({ env: {} });
    const [result] = await createOsvService({
      http,
      url: server.url,
      cache: records,
      queryCache: queryCache(cacheDir, 1),
    }).query([dep('demo-pkg', '1.0.5')]);
    expect(server.stats.byRoute).toEqual({ query: 0, querybatch: 1, vulns: 4, other: 0 });
    const pysec = result!.find((v) => v.id === 'PYSEC-2099-1')!;
    expect(pysec.modified).toBe(changed.modified);
    expect(pysec.description).not.toBe('the old text');
  });
});

describe('OSV URL', () => {
  it.each([
    ['https://api.osv.dev', 'https://api.osv.dev'],
    ['https://api.osv.dev/', 'https://api.osv.dev'],
    ['http://127.0.0.1:8080/v1/query', 'http://127.0.0.1:8080'],
    ['https://mirror.example.org/osv/v1/query/', 'https://mirror.example.org/osv'],
  ])('%s → %s', (url, base) => {
    expect(osvBaseUrl(url)).toBe(base);
  });
});
