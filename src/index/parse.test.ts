import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  bufferSource,
  isSdistPkgInfo,
  isWheelMetadata,
  readTarMember,
  readZipMember,
} from './archive.js';
import { indexSettings, parseIni, pipConfigFiles } from './config.js';
import { parseNetrc, redactUrl, splitCredentials } from './credentials.js';
import { parseSdistName, parseWheelName } from './filenames.js';
import { hasStaticDependencies, parseCoreMetadata } from './metadata.js';
import { parseHtmlPage, parseJsonPage } from './simple.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../test/fixtures/index');

describe('simple API pages', () => {
  it('reads PEP 503 attributes, entities and fragments', () => {
    const page = parseHtmlPage(
      `<html><body>
<a href="../../files/a-1.0-py3-none-any.whl#sha256=ABCDEF" data-requires-python="&gt;=3.8,&lt;4" data-core-metadata="sha256=0123">a-1.0-py3-none-any.whl</a>
<a href='https://files.example/a-0.9.tar.gz' data-yanked="">a-0.9.tar.gz</a>
<a href="a-0.8.zip" data-yanked="CVE fix missing" data-dist-info-metadata="true">a-0.8.zip</a>
</body></html>`,
      'https://idx.example/simple/a/',
    );
    expect(page.files).toEqual([
      {
        filename: 'a-1.0-py3-none-any.whl',
        url: 'https://idx.example/files/a-1.0-py3-none-any.whl',
        hashes: { sha256: 'abcdef' },
        requiresPython: '>=3.8,<4',
        yanked: false,
        coreMetadata: { sha256: '0123' },
      },
      {
        filename: 'a-0.9.tar.gz',
        url: 'https://files.example/a-0.9.tar.gz',
        hashes: {},
        requiresPython: null,
        yanked: '',
        coreMetadata: false,
      },
      {
        filename: 'a-0.8.zip',
        url: 'https://idx.example/simple/a/a-0.8.zip',
        hashes: {},
        requiresPython: null,
        yanked: 'CVE fix missing',
        coreMetadata: {},
      },
    ]);
  });

  it('reads PEP 691 JSON with PEP 700 versions, PEP 714 names and PEP 792 status', () => {
    const page = parseJsonPage(
      JSON.stringify({
        meta: { 'api-version': '1.4' },
        name: 'a',
        versions: ['0.9', '1.0'],
        'project-status': { status: 'archived' },
        files: [
          {
            filename: 'a-1.0.tar.gz',
            url: '/f/a-1.0.tar.gz',
            hashes: { sha256: 'AA' },
            yanked: true,
            'dist-info-metadata': { sha256: 'bb' },
          },
        ],
      }),
      'https://idx.example/simple/a/',
    );
    expect(page).toEqual({
      files: [
        {
          filename: 'a-1.0.tar.gz',
          url: 'https://idx.example/f/a-1.0.tar.gz',
          hashes: { sha256: 'aa' },
          requiresPython: null,
          yanked: '',
          coreMetadata: { sha256: 'bb' },
        },
      ],
      versions: ['0.9', '1.0'],
      status: 'archived',
    });
    expect(() => parseJsonPage('{"meta": {}}', 'https://x/')).toThrow(
      'the project page has no "files" list (PEP 691)',
    );
  });
});

describe('file names', () => {
  it('expands compressed wheel tag sets and reads sdist versions for names with dashes', () => {
    expect(
      parseWheelName('MarkupSafe-3.0.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'),
    ).toEqual({
      kind: 'wheel',
      name: 'MarkupSafe',
      version: '3.0.3',
      tags: ['cp311-cp311-manylinux_2_17_x86_64', 'cp311-cp311-manylinux2014_x86_64'],
    });
    expect(parseWheelName('six-1.17.0-1build-py2.py3-none-any.whl')?.tags).toEqual([
      'py2-none-any',
      'py3-none-any',
    ]);
    expect(parseWheelName('not-a-wheel.whl')).toBeNull();
    expect(parseSdistName('python-dateutil-2.9.0.post0.tar.gz', 'python_dateutil')).toEqual({
      kind: 'sdist',
      name: 'python-dateutil',
      version: '2.9.0.post0',
      archive: 'tar.gz',
    });
    expect(parseSdistName('other-1.0.zip', 'python-dateutil')).toBeNull();
  });
});

describe('core metadata', () => {
  it('reads repeated and folded fields, stops at the body, and decides static sdist metadata', () => {
    const m = parseCoreMetadata(
      'Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nRequires-Dist: a>=1\nRequires-Dist: b;\n  extra == "x"\nDynamic: Classifier\n\nRequires-Dist: not-a-header\n',
    )!;
    expect(m.requiresDist).toEqual(['a>=1', 'b; extra == "x"']);
    expect(hasStaticDependencies(m)).toBe(true);
    expect(hasStaticDependencies({ ...m, dynamic: ['requires-dist'] })).toBe(false);
    expect(hasStaticDependencies({ ...m, metadataVersion: '2.1' })).toBe(false);
    expect(parseCoreMetadata('Name: x\n')).toBeNull();
  });
});

describe('archives', () => {
  it('reads METADATA out of a real wheel and PKG-INFO out of an sdist, zip or tar', async () => {
    const wheel = readFileSync(
      path.join(FIXTURES, 'real-small/files/flask-3.1.3-py3-none-any.whl'),
    );
    const metadata = (await readZipMember(bufferSource(wheel), isWheelMetadata))!.toString('utf8');
    expect(parseCoreMetadata(metadata)?.name).toBe('Flask');
    const sdist = readFileSync(path.join(FIXTURES, 'sdist-static/files/app-1.0.tar.gz'));
    expect(
      parseCoreMetadata(readTarMember(sdist, isSdistPkgInfo)!.toString('utf8'))?.requiresDist,
    ).toEqual(['leaf>=1']);
    expect(readTarMember(gzipSync(Buffer.alloc(1024)), isSdistPkgInfo)).toBeNull();
    await expect(
      readZipMember(bufferSource(Buffer.from('not a zip at all')), isWheelMetadata),
    ).rejects.toThrow('not a zip archive');
  });
});

describe('credentials', () => {
  it('parses .netrc and redacts URLs as pip does', () => {
    const netrc = parseNetrc(
      '# comment\nmachine a.example login u password p\ndefault login d password dp\nmacdef init\ncd /\n\n',
    );
    expect([...netrc.machines]).toEqual([
      ['a.example', { login: 'u', password: 'p' }],
      ['default', { login: 'd', password: 'dp' }],
    ]);
    expect(redactUrl('https://user:pw@h.example/simple')).toBe(
      'https://user:****@h.example/simple',
    );
    expect(redactUrl('https://token@h.example/simple')).toBe('https://****@h.example/simple');
    expect(redactUrl('file:///opt/pypi/simple')).toBe('file:///opt/pypi/simple');
    expect(splitCredentials('https://b.example/x', netrc)).toEqual({
      url: 'https://b.example/x',
      headers: { authorization: `Basic ${Buffer.from('d:dp').toString('base64')}` },
    });
  });
});

describe('index settings', () => {
  const files: Record<string, string> = {
    '/etc/xdg/pip/pip.conf': '[global]\nconstraint = /etc/xdg/pip/constraints.txt\n',
    '/home/u/.config/pip/pip.conf':
      '[global]\nfind-links = /opt/wheels\nextra-index-url = file:///opt/pypi/simple\n  file:///opt/more/simple\n[install]\nindex_url = https://mirror.example/simple\n',
  };
  const readConfig = (f: string): string | null => files[f] ?? null;

  it('reads pip configuration, then PIP_* variables, then flags, then requirements-file options', () => {
    const env = { HOME: '/home/u' };
    expect(pipConfigFiles(env, 'linux')).toEqual([
      '/etc/xdg/pip/pip.conf',
      '/etc/pip.conf',
      '/home/u/.pip/pip.conf',
      '/home/u/.config/pip/pip.conf',
    ]);
    expect(indexSettings({ env, cwd: '/w', readConfig })).toEqual({
      indexUrls: [
        'https://mirror.example/simple',
        'file:///opt/pypi/simple',
        'file:///opt/more/simple',
      ],
      findLinks: ['file:///opt/wheels'],
      pre: false,
      from: ['/home/u/.config/pip/pip.conf'],
    });
    const s = indexSettings({
      env: { ...env, PIP_EXTRA_INDEX_URL: 'https://e1.example/simple', PIP_PRE: '1' },
      cwd: '/w',
      readConfig,
      extraIndexUrls: ['https://e2.example/simple/'],
      findLinks: ['wheels'],
      fileOptions: [
        { indexUrl: 'https://file.example/simple', extraIndexUrls: ['https://e3.example/simple'] },
      ],
    });
    expect(s.indexUrls).toEqual([
      'https://file.example/simple',
      'https://e1.example/simple',
      'https://e2.example/simple',
      'https://e3.example/simple',
    ]);
    expect(s.findLinks).toEqual(['file:///opt/wheels', 'file:///w/wheels']);
    expect(s.pre).toBe(true);
    // PIP_CONFIG_FILE=/dev/null: no configuration file at all.
    expect(
      indexSettings({ env: { ...env, PIP_CONFIG_FILE: '/dev/null' }, cwd: '/w', readConfig })
        .indexUrls,
    ).toEqual(['https://pypi.org/simple']);
    expect(parseIni('[Global]\nIndex_URL: x\n').get('global')?.get('index-url')).toBe('x');
  });
});
