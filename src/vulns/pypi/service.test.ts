import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdvisoryServer, type AdvisoryServer } from '../../../test/advisory-servers.js';
import { demoRecords } from '../../../test/helpers/fixtures.js';
import { tempDirs } from '../../../test/helpers/temp-dirs.js';
import type { ResolvedDependency } from '../../core/dependency.js';
import type { OsvRecord } from '../../standards/osv.js';
import type { Vulnerability } from '../types.js';
import { createHttpClient } from '../../http/client.js';
import { advisoryProblem, createEsmsService, esmsRangeToSpecifier } from '../esms/service.js';
import { createPypiService } from './service.js';

const dep = (name: string, version: string): ResolvedDependency => ({
  kind: 'resolved',
  name,
  displayName: name,
  version,
  origin: { file: 'r.txt' },
});

let server: AdvisoryServer;
const http = createHttpClient({ env: {}, attempts: 1 });

beforeAll(async () => {
  server = await startAdvisoryServer(demoRecords(), {
    knownVersion: (name) => name !== 'private-pkg',
  });
});
afterAll(async () => {
  await server.close();
  await http.close();
});

describe('PyPI JSON source', () => {
  it('reads the vulnerabilities array, leaves withdrawn ones out, and reports 404 as not found', async () => {
    const answers = await createPypiService({ http, url: server.url }).query([
      dep('demo-pkg', '1.0.5'),
      dep('private-pkg', '1.0'),
      dep('demo-pkg', '1.0.5'),
    ]);
    expect(answers[0]).toEqual([
      {
        id: 'GHSA-aaaa-bbbb-cccc',
        aliases: ['CVE-2099-0001'],
        fixVersions: ['1.2.0'],
        description: 'Demo flaw one (GHSA)',
        source: 'pypi',
      },
      {
        id: 'OSV-2099-7',
        aliases: ['CVE-2099-0007'],
        fixVersions: [],
        description: 'N/A',
        source: 'pypi',
      },
      {
        id: 'PYSEC-2099-1',
        aliases: ['CVE-2099-0001', 'GHSA-aaaa-bbbb-cccc'],
        fixVersions: ['1.2.0', '2.0.3'],
        description: 'Demo flaw one. Second line.',
        source: 'pypi',
      },
      {
        id: 'PYSEC-2099-2',
        aliases: [],
        fixVersions: [],
        description: 'Demo flaw two',
        source: 'pypi',
      },
    ]);
    expect(answers[1]).toEqual({
      notFound: 'Dependency not found on PyPI and could not be audited: private-pkg (1.0)',
    });
    expect(answers[2]).toBe(answers[0]);
    expect(
      server.requests.filter((r) => r.startsWith('GET /pypi/demo-pkg/1.0.5/json')),
    ).toHaveLength(1);
  });

  it('fails with the URL on a server error', async () => {
    server.options.failWith = 503;
    try {
      await expect(
        createPypiService({ http, url: server.url }).query([dep('demo-pkg', '1.0')]),
      ).rejects.toThrow(`${server.url}/pypi/demo-pkg/1.0/json: HTTP 503 from the PyPI JSON API`);
    } finally {
      delete server.options.failWith;
    }
  });
});

describe('ecosyste.ms source', () => {
  it('turns OSV-style ranges into PEP 440 specifiers', () => {
    expect(esmsRangeToSpecifier('= 1.0')).toBe('==1.0');
    expect(esmsRangeToSpecifier('>= 1.0, < 1.2')).toBe('>= 1.0,< 1.2');
    expect(esmsRangeToSpecifier('< 2, =1.5')).toBe('< 2,==1.5');
  });

  it('matches ranges locally, one request per package', async () => {
    const [demo, other, clean] = await createEsmsService({ http, url: server.url }).query([
      dep('demo-pkg', '1.0.5'),
      dep('other-pkg', '0.5'),
      dep('demo-pkg', '5.0'),
    ]);
    // The id is the most canonical identifier: OSV-2099-7 is published under its CVE.
    expect((demo as readonly Vulnerability[]).map((v) => [v.id, v.aliases])).toEqual([
      ['GHSA-aaaa-bbbb-cccc', ['CVE-2099-0001']],
      ['CVE-2099-0007', ['OSV-2099-7']],
      ['PYSEC-2099-1', ['GHSA-aaaa-bbbb-cccc', 'CVE-2099-0001']],
      ['PYSEC-2099-2', []],
    ]);
    expect(other).toEqual([
      {
        id: 'PYSEC-2099-4',
        aliases: [],
        fixVersions: [],
        description: 'Only enumerated versions',
        source: 'esms',
      },
    ]);
    expect(clean).toEqual([]);
    expect(
      server.requests.filter((r) =>
        r.startsWith('GET /api/v1/advisories?ecosystem=pypi&package_name=demo-pkg'),
      ),
    ).toHaveLength(1);
  });
});

describe('ecosyste.ms ratings and links', () => {
  it('scores the CVSS vector, reads the GitHub level, refuses a broken vector, knows malicious ids, keeps the links', async () => {
    const base = demoRecords().find((r) => r.id === 'PYSEC-2099-4')!;
    const rated = (id: string, extra: Partial<OsvRecord>): OsvRecord => ({
      ...base,
      id,
      aliases: [],
      ...extra,
    });
    const rating = await startAdvisoryServer([
      rated('PYSEC-2099-41', {
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
        references: [
          { type: 'ADVISORY', url: 'https://example.org/advisory/41' },
          { type: 'WEB', url: 'javascript:alert(1)' },
        ],
      }),
      rated('PYSEC-2099-42', { database_specific: { severity: 'MODERATE' } }),
      rated('PYSEC-2099-43', { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' }] }),
      rated('GHSA-m4l0-0009-aaaa', { aliases: ['MAL-2099-9'] }),
    ]);
    try {
      const [answer] = await createEsmsService({ http, url: rating.url }).query([
        dep('other-pkg', '0.5'),
      ]);
      const found = [...(answer as readonly Vulnerability[])].sort((a, b) =>
        a.id < b.id ? -1 : 1,
      );
      expect(found.map((v) => [v.id, v.ratings, v.references])).toEqual([
        [
          'GHSA-m4l0-0009-aaaa',
          [{ source: 'MAL-2099-9', method: 'OpenSSF', level: 'malicious' }],
          undefined,
        ],
        [
          'PYSEC-2099-41',
          [
            {
              source: 'PYSEC-2099-41',
              method: 'CVSSv31',
              level: 'critical',
              score: 9.8,
              vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
            },
          ],
          [{ type: 'WEB', url: 'https://example.org/advisory/41' }],
        ],
        [
          'PYSEC-2099-42',
          [{ source: 'PYSEC-2099-42', method: 'GitHub', level: 'medium' }],
          undefined,
        ],
        ['PYSEC-2099-43', undefined, undefined],
      ]);
      // A malicious-packages id among the identifiers: known without scoring anything.
      expect(found.map((v) => v.malicious === true)).toEqual([true, false, false, false]);
    } finally {
      await rating.close();
    }
  });
});

describe('ecosyste.ms answers that are not advisories', () => {
  it.each([
    [[3], 'item 0: not an object'],
    [[{ identifiers: ['GHSA-1', 7] }], 'item 0: "identifiers" is not a list of strings'],
    [[{ identifiers: ['GHSA-1'], cvss_vector: 9.8 }], 'item 0: "cvss_vector" is not a string'],
    [
      [{ identifiers: ['GHSA-1'], packages: [null] }],
      'item 0: "packages" is not a list of objects',
    ],
    [
      [
        {},
        {
          packages: [
            {
              ecosystem: 'pypi',
              package_name: 'demo-pkg',
              versions: [{ vulnerable_version_range: 1 }],
            },
          ],
        },
      ],
      'item 1: a package\'s "versions" is not a list of version ranges',
    ],
  ])('%j is an error naming the URL', async (answer, problem) => {
    const broken = await startAdvisoryServer(demoRecords(), { esmsAnswer: answer });
    try {
      await expect(
        createEsmsService({ http, url: broken.url }).query([dep('demo-pkg', '1.0.5')]),
      ).rejects.toThrow(
        `${broken.url}/api/v1/advisories?ecosystem=pypi&package_name=demo-pkg: the ecosyste.ms advisories API answered a malformed advisory (${problem})`,
      );
    } finally {
      await broken.close();
    }
  });

  it('what the real API leaves empty or null is fine', () => {
    expect(
      advisoryProblem({
        identifiers: ['GHSA-1'],
        title: null,
        severity: null,
        cvss_vector: null,
        references: [null, 'https://example.org'],
        packages: [
          { ecosystem: 'pypi', package_name: 'a', versions: [{ first_patched_version: null }] },
        ],
      }),
    ).toBeNull();
  });
});

describe('PyPI not-found through the CLI', () => {
  const tempDir = tempDirs();

  it("a version PyPI does not know is skipped with pip-audit's reason; --strict fails on it", async () => {
    const { runCli } = await import('../../../test/helpers/run-cli.js');
    const { writeFileSync } = await import('node:fs');
    const path = await import('node:path');
    const dir = tempDir('pyaudit-pypi-');
    writeFileSync(path.join(dir, 'r.txt'), 'private-pkg==1.0\ndemo-pkg==1.0.5\n');
    const args = [
      '-r',
      'r.txt',
      '-s',
      'pypi',
      '--pypi-url',
      server.url,
      '-f',
      'json',
      '--desc',
      'off',
      '--aliases',
      'off',
    ];
    const result = await runCli(args, { cwd: dir });
    expect(
      (JSON.parse(result.stdout) as { dependencies: Array<{ name: string; skip_reason?: string }> })
        .dependencies[0],
    ).toEqual({
      name: 'private-pkg',
      skip_reason: 'Dependency not found on PyPI and could not be audited: private-pkg (1.0)',
    });
    expect(await runCli([...args, '--strict'], { cwd: dir })).toEqual({
      stdout: '',
      stderr:
        'pyaudit: error: r.txt:1: private-pkg: Dependency not found on PyPI and could not be audited: private-pkg (1.0) (--strict)\n',
      code: 2,
    });
  });
});
