import {
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  mkdirSync,
  copyFileSync,
  existsSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIndexServer, type IndexTestServer } from '../../test/index-server.js';
import { createHttpClient } from '../http/client.js';
import { diskCache } from './cache.js';
import { createPackageIndex, type PackageIndex } from './client.js';
import { parseNetrc } from './credentials.js';
import { parseCoreMetadata } from './metadata.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../test/fixtures/index');
const http = createHttpClient({ timeoutSeconds: 10 });
const temp: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pyaudit-index-'));
  temp.push(dir);
  return dir;
};
afterAll(async () => {
  await http.close();
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

/** What the tests compare: each file's name, hashes, requires-python and yanked state. */
async function summary(index: PackageIndex, project: string): Promise<string[]> {
  const { files } = await index.projectFiles(project);
  return files.map(
    (f) =>
      `${f.filename} ${f.parsed.kind} ${f.parsed.version} sha256=${f.hashes.sha256?.slice(0, 8)} rp=${f.requiresPython} yanked=${f.yanked === false ? 'no' : JSON.stringify(f.yanked)}`,
  );
}

describe('project pages', () => {
  let server: IndexTestServer;
  beforeAll(async () => {
    server = await startIndexServer({ kind: 'scenario', dir: path.join(FIXTURES, 'yanked') });
  });
  afterAll(() => server.close());

  it('PEP 691 JSON and PEP 503 HTML give the same files, and negotiation works', async () => {
    const results: string[][] = [];
    for (const format of ['json', 'html', 'negotiate'] as const) {
      server.options = { format };
      const index = createPackageIndex({ http, indexUrls: [`${server.url}/simple`], netrc: null });
      results.push(await summary(index, 'Other'));
    }
    const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'yanked/index.json'), 'utf8'))
      .projects.other as Array<{ filename: string; sha256: string; yanked: string | null }>;
    expect(results[0]).toEqual(
      expected.map(
        (f) =>
          `${f.filename} wheel ${f.filename.split('-')[1]} sha256=${f.sha256.slice(0, 8)} rp=null yanked=${f.yanked === null ? 'no' : JSON.stringify(f.yanked)}`,
      ),
    );
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('a project the index does not have has no files; a failing index is one error naming the URL', async () => {
    server.options = { failProjects: { lib: 503 } };
    const index = createPackageIndex({
      http: createHttpClient({ attempts: 1 }),
      indexUrls: [`${server.url}/simple`],
      netrc: null,
    });
    expect((await index.projectFiles('nothing-here')).files).toEqual([]);
    await expect(index.projectFiles('lib')).rejects.toThrow(
      `${server.url}/simple/lib/: the index answered HTTP 503`,
    );
  });
});

describe('core metadata', () => {
  let server: IndexTestServer;
  const dir = path.join(FIXTURES, 'basic');
  const metadataText = readFileSync(
    path.join(dir, 'files/lib-2.1-py3-none-any.whl.metadata'),
    'utf8',
  );
  beforeAll(async () => {
    server = await startIndexServer({ kind: 'scenario', dir });
  });
  afterAll(() => server.close());
  afterEach(() => server.resetStats());

  async function libMetadata(): Promise<string> {
    const index = createPackageIndex({ http, indexUrls: [`${server.url}/simple`], netrc: null });
    const file = (await index.projectFiles('lib')).files.find((f) => f.parsed.version === '2.1')!;
    const result = await index.metadata(file);
    expect(result.kind).toBe('static');
    return JSON.stringify(result.metadata);
  }

  it('reads the PEP 658 .metadata file when advertised', async () => {
    server.options = { metadata: true };
    expect(await libMetadata()).toBe(JSON.stringify(parseCoreMetadata(metadataText)));
    expect([server.stats.metadata, server.stats.ranges, server.stats.downloads]).toEqual([1, 0, 0]);
  });

  it('without it, reads METADATA from the end of the wheel with a range request', async () => {
    server.options = { metadata: false, ranges: true };
    expect(await libMetadata()).toBe(JSON.stringify(parseCoreMetadata(metadataText)));
    // The fixture wheel is small: the first range (the zip's end) holds the member too.
    expect([server.stats.metadata, server.stats.ranges, server.stats.downloads]).toEqual([0, 1, 0]);
  });

  it('without range support, downloads the wheel', async () => {
    server.options = { metadata: false, ranges: false };
    expect(await libMetadata()).toBe(JSON.stringify(parseCoreMetadata(metadataText)));
    expect([server.stats.ranges, server.stats.downloads]).toEqual([0, 1]);
  });

  it('a downloaded wheel that does not match the index hash is an error', async () => {
    server.options = { metadata: false, ranges: false, wrongHash: true };
    const index = createPackageIndex({ http, indexUrls: [`${server.url}/simple`], netrc: null });
    const file = (await index.projectFiles('lib')).files.find((f) => f.parsed.version === '2.1')!;
    await expect(index.metadata(file)).rejects.toThrow(
      `${server.url}/files/lib-2.1-py3-none-any.whl: the downloaded file does not match its hash`,
    );
  });

  it('a .metadata file that does not match its hash is an error', async () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'simple/lib'), { recursive: true });
    mkdirSync(path.join(root, 'files'));
    copyFileSync(
      path.join(dir, 'files/lib-2.1-py3-none-any.whl'),
      path.join(root, 'files/lib-2.1-py3-none-any.whl'),
    );
    writeFileSync(
      path.join(root, 'files/lib-2.1-py3-none-any.whl.metadata'),
      metadataText.replace('util>=1.1', 'util>=9'),
    );
    writeFileSync(
      path.join(root, 'simple/lib/index.html'),
      `<a href="../../files/lib-2.1-py3-none-any.whl" data-core-metadata="sha256=${'0'.repeat(64)}">lib-2.1-py3-none-any.whl</a>`,
    );
    const index = createPackageIndex({
      http,
      indexUrls: [pathToFileURL(path.join(root, 'simple')).href],
      netrc: null,
    });
    const file = (await index.projectFiles('lib')).files[0]!;
    await expect(index.metadata(file)).rejects.toThrow(
      'the core metadata file does not match its hash (PEP 658)',
    );
  });

  it('sdists: static PKG-INFO is used, dynamic metadata leaves dependencies unknown, setup.py never runs', async () => {
    const marks = tempDir();
    process.env.PYAUDIT_PWNED_DIR = marks;
    try {
      for (const [scenario, kind] of [
        ['sdist-static', 'static'],
        ['sdist-dynamic', 'unknown'],
      ] as const) {
        const index = createPackageIndex({
          http,
          indexUrls: [pathToFileURL(path.join(FIXTURES, scenario, 'simple')).href],
          netrc: null,
        });
        const file = (await index.projectFiles('app')).files[0]!;
        expect(file.parsed.kind).toBe('sdist');
        const result = await index.metadata(file);
        expect(result.kind).toBe(kind);
        expect(result.metadata?.requiresDist).toEqual(['leaf>=1']);
        if (result.kind === 'unknown') {
          expect(result.reason).toBe(
            'dependencies unknown: app-1.0.tar.gz is a source distribution whose dependencies are computed when it is built (Metadata-Version 2.1), and pyaudit never runs package code',
          );
        }
      }
      expect(existsSync(path.join(marks, 'pwned'))).toBe(false);
    } finally {
      delete process.env.PYAUDIT_PWNED_DIR;
    }
  });
});

describe('credentials and caching', () => {
  let server: IndexTestServer;
  beforeAll(async () => {
    server = await startIndexServer({ kind: 'scenario', dir: path.join(FIXTURES, 'basic') });
  });
  afterAll(() => server.close());
  afterEach(() => server.resetStats());

  it('sends credentials from the URL as Basic auth and never shows the password', async () => {
    server.options = { auth: { user: 'alice', password: 's3cret' } };
    const host = server.url.replace('http://', '');
    const good = createPackageIndex({
      http,
      indexUrls: [`http://alice:s3cret@${host}/simple`],
      netrc: null,
    });
    expect((await good.projectFiles('util')).files).toHaveLength(3);
    expect(good.description).toBe(`http://alice:****@${host}/simple`);
    const bad = createPackageIndex({
      http,
      indexUrls: [`http://alice:wrong@${host}/simple`],
      netrc: null,
    });
    const error = await bad.projectFiles('util').catch((e: Error) => e.message);
    expect(error).toBe(
      `http://alice:****@${host}/simple/util/: the index refused access (HTTP 401); give credentials in the URL or ~/.netrc`,
    );
  });

  it('takes credentials from .netrc for the host', async () => {
    server.options = { auth: { user: 'bob', password: 'hunter2' } };
    const netrc = parseNetrc(`machine 127.0.0.1\n  login bob\n  password hunter2\n`);
    const index = createPackageIndex({ http, indexUrls: [`${server.url}/simple`], netrc });
    expect((await index.projectFiles('util')).files).toHaveLength(3);
    expect(server.stats.authorizations).toEqual([
      `Basic ${Buffer.from('bob:hunter2').toString('base64')}`,
    ]);
  });

  it('revalidates cached pages with ETag (or Last-Modified) and keeps metadata by file hash', async () => {
    server.options = { metadata: true };
    const cache = diskCache(tempDir());
    const run = async (): Promise<void> => {
      const index = createPackageIndex({
        http,
        indexUrls: [`${server.url}/simple`],
        netrc: null,
        cache,
      });
      for (const f of (await index.projectFiles('util')).files) await index.metadata(f);
    };
    await run();
    expect([server.stats.pages, server.stats.notModified, server.stats.metadata]).toEqual([
      1, 0, 3,
    ]);
    server.resetStats();
    await run();
    expect([server.stats.pages, server.stats.notModified, server.stats.metadata]).toEqual([
      1, 1, 0,
    ]);
  });

  it('a fresh page (Cache-Control max-age) is not asked again', async () => {
    server.options = { cacheControl: 'max-age=600' };
    const cache = diskCache(tempDir());
    for (let i = 0; i < 2; i++) {
      const index = createPackageIndex({
        http,
        indexUrls: [`${server.url}/simple`],
        netrc: null,
        cache,
      });
      await index.projectFiles('util');
    }
    expect(server.stats.pages).toBe(1);
  });
});

describe('find-links and file:// indexes', () => {
  it('reads a find-links HTML page of links', async () => {
    const server = await startIndexServer(
      { kind: 'scenario', dir: path.join(FIXTURES, 'basic') },
      { format: 'html' },
    );
    try {
      const index = createPackageIndex({
        http,
        indexUrls: [],
        findLinks: [`${server.url}/simple/util/`],
        netrc: null,
      });
      const util = await index.projectFiles('util');
      expect(util.files.map((f) => `${f.filename} ${f.url.replace(server.url, '')}`)).toEqual([
        'util-1.0-py3-none-any.whl /files/util-1.0-py3-none-any.whl',
        'util-1.1-py3-none-any.whl /files/util-1.1-py3-none-any.whl',
        'util-1.2-py3-none-any.whl /files/util-1.2-py3-none-any.whl',
      ]);
      expect((await index.projectFiles('lib')).files).toEqual([]);
      expect((await index.metadata(util.files[2]!)).metadata?.version).toBe('1.2');
    } finally {
      await server.close();
    }
  });

  it('lists a folder of distributions and merges it with an index', async () => {
    const files = path.join(FIXTURES, 'basic/files');
    const index = createPackageIndex({
      http,
      indexUrls: [pathToFileURL(path.join(FIXTURES, 'constraints/simple')).href],
      findLinks: [pathToFileURL(files).href],
      netrc: null,
    });
    const lib = await index.projectFiles('lib');
    expect(
      lib.files.map((f) => `${f.filename} from ${f.source.replace(FIXTURES, '<fixtures>')}`),
    ).toEqual([
      'lib-1.0-py3-none-any.whl from file://<fixtures>/constraints/simple',
      'lib-1.5-py3-none-any.whl from file://<fixtures>/constraints/simple',
      'lib-2.0-py3-none-any.whl from file://<fixtures>/constraints/simple',
      'lib-1.0-py3-none-any.whl from file://<fixtures>/basic/files',
      'lib-2.0-py3-none-any.whl from file://<fixtures>/basic/files',
      'lib-2.1-py3-none-any.whl from file://<fixtures>/basic/files',
    ]);
    const meta = await index.metadata(lib.files[5]!);
    expect(meta.metadata?.requiresDist).toEqual(['util>=1.1']);
  });
});
