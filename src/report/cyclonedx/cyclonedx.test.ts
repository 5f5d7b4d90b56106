import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { create } from 'xmlbuilder2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAdvisories } from '../../../test/helpers/advisories.js';
import { runCli } from '../../../test/helpers/run-cli.js';
import { startSeverityAudit, type SeverityAudit } from '../../../test/helpers/severity-audit.js';
import { describeShared, REPO_ROOT, sharedPath } from '../../../test/helpers/shared.js';
import { startOsvServer, type OsvTestServer } from '../../../test/osv-server.js';
import type { AuditReport } from '../../audit/audit.js';
import { UNKNOWN_SEVERITY } from '../../audit/severity.js';
import { VERSION } from '../../version.js';
import { renderCycloneDx } from './build.js';

interface CdxBom {
  specVersion: string;
  serialNumber: string;
  metadata: unknown;
  components: Array<{ name: string; version?: string; purl: string; 'bom-ref': string }>;
  dependencies: Array<{ ref: string; dependsOn?: string[] }>;
  vulnerabilities: Array<{
    id: string;
    recommendation: string;
    affects: Array<{ ref: string }>;
    ratings: Array<{ severity: string; score?: number; method?: string }>;
  }>;
}

let audit: SeverityAudit;
let temp: string;
beforeAll(async () => {
  audit = await startSeverityAudit();
  temp = await mkdtemp(path.join(tmpdir(), 'pyaudit-cyclonedx-'));
});
afterAll(async () => {
  await audit.close();
  await rm(temp, { recursive: true, force: true });
});

const render = async (args: string[]): Promise<string> => {
  const result = await audit.run(['.', ...args]);
  expect(result.code).toBe(1);
  return result.stdout;
};

describe('cyclonedx-json', () => {
  it('components with purls, the graph from the lock file, and every finding with ratings', async () => {
    const bom = JSON.parse(await render(['-f', 'cyclonedx-json'])) as CdxBom;
    expect(bom.specVersion).toBe('1.6');
    expect(bom.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(bom.metadata).toEqual({
      tools: { components: [{ type: 'application', name: 'pyaudit', version: VERSION }] },
    });
    expect(bom.components.map((c) => [c.name, c.version ?? null, c.purl, c['bom-ref']])).toEqual([
      ['demo-app', null, 'pkg:pypi/demo-app', 'pkg:pypi/demo-app'],
      ['clean-pkg', '2.0.0', 'pkg:pypi/clean-pkg@2.0.0', 'pkg:pypi/clean-pkg@2.0.0'],
      ['crit-pkg', '1.0.0', 'pkg:pypi/crit-pkg@1.0.0', 'pkg:pypi/crit-pkg@1.0.0'],
      ['evil-pkg', '0.1.1', 'pkg:pypi/evil-pkg@0.1.1', 'pkg:pypi/evil-pkg@0.1.1'],
      ['high-pkg', '1.2.0', 'pkg:pypi/high-pkg@1.2.0', 'pkg:pypi/high-pkg@1.2.0'],
      ['local-thing', null, 'pkg:pypi/local-thing', 'pkg:pypi/local-thing'],
      ['low-pkg', '0.4', 'pkg:pypi/low-pkg@0.4', 'pkg:pypi/low-pkg@0.4'],
      ['med-pkg', '3.0', 'pkg:pypi/med-pkg@3.0', 'pkg:pypi/med-pkg@3.0'],
      ['typo-pkg', '2.0.0', 'pkg:pypi/typo-pkg@2.0.0', 'pkg:pypi/typo-pkg@2.0.0'],
      ['unknown-pkg', '0.8', 'pkg:pypi/unknown-pkg@0.8', 'pkg:pypi/unknown-pkg@0.8'],
    ]);
    expect(bom.dependencies.filter((d) => d.dependsOn)).toEqual([
      { ref: 'pkg:pypi/crit-pkg@1.0.0', dependsOn: ['pkg:pypi/clean-pkg@2.0.0'] },
      { ref: 'pkg:pypi/high-pkg@1.2.0', dependsOn: ['pkg:pypi/med-pkg@3.0'] },
      { ref: 'pkg:pypi/med-pkg@3.0', dependsOn: ['pkg:pypi/low-pkg@0.4'] },
      { ref: 'pkg:pypi/unknown-pkg@0.8', dependsOn: ['pkg:pypi/typo-pkg@2.0.0'] },
    ]);
    expect(
      bom.vulnerabilities.map((v) => [
        v.id,
        v.affects.map((a) => a.ref),
        v.recommendation,
        v.ratings.map((r) => [r.severity, r.score ?? null, r.method ?? null]),
      ]),
    ).toEqual([
      [
        'PYSEC-2099-101',
        ['pkg:pypi/crit-pkg@1.0.0'],
        'Upgrade crit-pkg to 1.0.1',
        [
          ['critical', 9.8, 'CVSSv31'],
          ['high', null, 'other'],
        ],
      ],
      [
        'MAL-2099-1',
        ['pkg:pypi/evil-pkg@0.1.1'],
        'Remove evil-pkg: it is a malicious package',
        [['critical', null, 'other']],
      ],
      [
        'GHSA-h1gh-0002-bbbb',
        ['pkg:pypi/high-pkg@1.2.0'],
        'Upgrade high-pkg to 1.3.0',
        [
          ['high', 8.5, 'CVSSv4'],
          ['medium', null, 'other'],
        ],
      ],
      [
        'GHSA-l0w0-0004-dddd',
        ['pkg:pypi/low-pkg@0.4'],
        'No fix version is known',
        [['low', null, 'other']],
      ],
      [
        'PYSEC-2099-103',
        ['pkg:pypi/med-pkg@3.0'],
        'Upgrade med-pkg to 3.1 or 4.0.2',
        [['medium', 4.3, 'CVSSv2']],
      ],
      [
        'MAL-2099-2',
        ['pkg:pypi/typo-pkg@2.0.0'],
        'Remove typo-pkg: it is a malicious package',
        [['critical', null, 'other']],
      ],
      [
        'PYSEC-2099-105',
        ['pkg:pypi/unknown-pkg@0.8'],
        'Upgrade unknown-pkg to 0.9',
        [['unknown', null, null]],
      ],
    ]);
    expect(bom.vulnerabilities[4]).toEqual({
      'bom-ref': 'PYSEC-2099-103:pkg:pypi/med-pkg@3.0',
      id: 'PYSEC-2099-103',
      source: { name: 'OSV', url: 'https://osv.dev/vulnerability/PYSEC-2099-103' },
      references: [
        {
          id: 'CVE-2099-1003',
          source: { name: 'OSV', url: 'https://osv.dev/vulnerability/CVE-2099-1003' },
        },
      ],
      ratings: [
        {
          source: { name: 'OSV', url: 'https://osv.dev/vulnerability/PYSEC-2099-103' },
          score: 4.3,
          severity: 'medium',
          method: 'CVSSv2',
          vector: 'AV:N/AC:M/Au:N/C:N/I:P/A:N',
        },
      ],
      description: "Cross-site scripting | in med-pkg's error pages.",
      recommendation: 'Upgrade med-pkg to 3.1 or 4.0.2',
      advisories: [{ url: 'https://example.org/med-pkg/issues/7' }],
      affects: [
        { ref: 'pkg:pypi/med-pkg@3.0', versions: [{ version: '3.0', status: 'affected' }] },
      ],
    });
  });

  it('is deterministic, and --cyclonedx-spec picks the version', async () => {
    expect(await render(['-f', 'cyclonedx-json'])).toBe(await render(['-f', 'cyclonedx-json']));
    for (const spec of ['1.4', '1.5'] as const) {
      const bom = JSON.parse(
        await render(['-f', 'cyclonedx-json', '--cyclonedx-spec', spec]),
      ) as CdxBom;
      expect(bom.specVersion).toBe(spec);
      expect(bom.vulnerabilities).toHaveLength(7);
    }
    const bad = await audit.run(['.', '-f', 'cyclonedx-json', '--cyclonedx-spec', '1.3']);
    expect(bad).toEqual({
      stdout: '',
      stderr:
        "pyaudit: error: argument --cyclonedx-spec: invalid choice: '1.3' (choose from 1.4, 1.5, 1.6)\n",
      code: 2,
    });
  });
});

describe('cyclonedx from the bundled bin', () => {
  it('loads the CycloneDX library on demand from the bundle', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        path.join(REPO_ROOT, 'bin', 'pyaudit.js'),
        '-r',
        'requirements.txt',
        '--dry-run',
        '-f',
        'cyclonedx-json',
      ],
      {
        cwd: path.join(REPO_ROOT, 'test/fixtures/severity/requirements'),
        env: { PATH: process.env.PATH, HOME: temp, XDG_CACHE_HOME: temp },
      },
    );
    const bom = JSON.parse(stdout) as CdxBom;
    expect(bom.components.map((c) => c.purl)).toEqual([
      'pkg:pypi/med-pkg@3.0',
      'pkg:pypi/clean-pkg@2.0.0',
    ]);
  });
});

describe('cyclonedx-xml', () => {
  it('carries the same BOM in the CycloneDX namespace of its version', async () => {
    const xml = await render(['-f', 'cyclonedx-xml']);
    expect(xml.split('\n').slice(0, 2)).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?>',
      expect.stringMatching(
        /^<bom xmlns="http:\/\/cyclonedx\.org\/schema\/bom\/1\.6" version="1" serialNumber="urn:uuid:[0-9a-f-]{36}">$/,
      ),
    ]);
    const doc = create(xml).end({ format: 'object' }) as {
      bom: {
        components: { component: Array<{ purl: string }> };
        vulnerabilities: {
          vulnerability: Array<{ id: string; affects: { target: { ref: string } } }>;
        };
      };
    };
    expect(doc.bom.components.component.map((c) => c.purl)).toHaveLength(10);
    expect(doc.bom.vulnerabilities.vulnerability.map((v) => [v.id, v.affects.target.ref])).toEqual([
      ['PYSEC-2099-101', 'pkg:pypi/crit-pkg@1.0.0'],
      ['MAL-2099-1', 'pkg:pypi/evil-pkg@0.1.1'],
      ['GHSA-h1gh-0002-bbbb', 'pkg:pypi/high-pkg@1.2.0'],
      ['GHSA-l0w0-0004-dddd', 'pkg:pypi/low-pkg@0.4'],
      ['PYSEC-2099-103', 'pkg:pypi/med-pkg@3.0'],
      ['MAL-2099-2', 'pkg:pypi/typo-pkg@2.0.0'],
      ['PYSEC-2099-105', 'pkg:pypi/unknown-pkg@0.8'],
    ]);
    // Hostile text is escaped by the serializer.
    expect(xml).toContain(
      '<description>&lt;img src=x onerror="alert(1)"&gt; &amp; &lt;script&gt;alert(\'x\')&lt;/script&gt; "quoted" &lt;/td&gt;</description>',
    );
  });
});

// --- schema validation ---------------------------------------------------------------------

/** The CycloneDX library's own copies of the 1.4 and 1.5 schemas (../shared holds 1.6). */
const LIBRARY_SCHEMAS = path.join(
  REPO_ROOT,
  'node_modules/@cyclonedx/cyclonedx-library/res/schema',
);

function schemaFile(spec: string, ext: 'schema.json' | 'xsd'): string {
  return spec === '1.6'
    ? sharedPath('schemas', `bom-1.6.SNAPSHOT.${ext}`)
    : path.join(LIBRARY_SCHEMAS, `bom-${spec}.SNAPSHOT.${ext}`);
}

function jsonValidator(spec: string): (data: unknown) => unknown[] {
  const read = (file: string): object => JSON.parse(readFileSync(file, 'utf8')) as object;
  const dir = spec === '1.6' ? sharedPath('schemas') : LIBRARY_SCHEMAS;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // Formats ajv-formats lacks; pyaudit writes neither (no e-mail addresses, no IRIs).
  ajv.addFormat('idn-email', true);
  ajv.addFormat('iri-reference', true);
  ajv.addSchema(
    read(path.join(dir, 'spdx.SNAPSHOT.schema.json')),
    'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json',
  );
  ajv.addSchema(
    read(path.join(dir, 'jsf-0.82.SNAPSHOT.schema.json')),
    'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json',
  );
  const validate = ajv.compile(read(schemaFile(spec, 'schema.json')));
  return (data) => (validate(data) ? [] : (validate.errors ?? []));
}

const xmllint = ['/usr/bin/xmllint', '/bin/xmllint'].find((p) => existsSync(p));

describeShared('cyclonedx: schemas', () => {
  it.each(['1.4', '1.5', '1.6'])('JSON %s validates against its schema', async (spec) => {
    const bom = JSON.parse(await render(['-f', 'cyclonedx-json', '--cyclonedx-spec', spec])) as {
      specVersion: string;
    };
    expect(bom.specVersion).toBe(spec);
    expect(jsonValidator(spec)(bom)).toEqual([]);
  });

  it.each(['1.4', '1.5', '1.6'])('XML %s validates against its XSD (xmllint)', async (spec) => {
    if (!xmllint) {
      if (process.env.CI === 'true') throw new Error('xmllint is missing (Debian libxml2-utils)');
      console.warn('[pyaudit tests] skipping the XSD check: xmllint not found (libxml2-utils)');
      return;
    }
    const file = path.join(temp, `bom-${spec}.xml`);
    await writeFile(file, await render(['-f', 'cyclonedx-xml', '--cyclonedx-spec', spec]));
    const { stderr } = await promisify(execFile)(xmllint, [
      '--nonet',
      '--noout',
      '--schema',
      schemaFile(spec, 'xsd'),
      file,
    ]);
    expect(stderr).toBe(`${file} validates\n`);
  });
});

describeShared('cyclonedx: hostile advisory text', () => {
  it('control characters, lone surrogates and javascript: links never reach the BOM', async () => {
    const report: AuditReport = {
      warnings: [],
      fixes: [],
      results: [
        {
          dependency: {
            kind: 'resolved',
            name: 'a',
            displayName: 'a',
            version: '1.0',
            origin: { file: 'requirements.txt', line: 1 },
          },
          ignored: [],
          findings: [
            {
              id: 'X-1',
              aliases: [],
              fixVersions: [],
              description: 'bell\u0007 nul\u0000 <b>&</b> lone\ud800',
              sources: ['osv'],
              severity: UNKNOWN_SEVERITY,
              malicious: false,
              references: [
                { type: 'WEB', url: 'javascript:alert(1)' },
                { type: 'WEB', url: 'https://example.org/ok' },
              ],
            },
          ],
        },
      ],
    };
    const json = JSON.parse(renderCycloneDx(report, 'json', '1.6')) as {
      vulnerabilities: Array<{ description: string; advisories: unknown }>;
    };
    expect(json.vulnerabilities[0]!.description).toBe('bell nul <b>&</b> lone\ufffd');
    expect(json.vulnerabilities[0]!.advisories).toEqual([{ url: 'https://example.org/ok' }]);
    expect(jsonValidator('1.6')(json)).toEqual([]);
    if (!xmllint) return;
    const file = path.join(temp, 'hostile.xml');
    await writeFile(file, renderCycloneDx(report, 'xml', '1.6'));
    const { stderr } = await promisify(execFile)(xmllint, [
      '--nonet',
      '--noout',
      '--schema',
      schemaFile('1.6', 'xsd'),
      file,
    ]);
    expect(stderr).toBe(`${file} validates\n`);
  });
});

// --- pip-audit's own output ----------------------------------------------------------------

interface Structure {
  components: string[];
  vulnerabilities: string[];
}

/** Components as name==version; vulnerabilities as id → affected component, recommendation. */
function structureOfJson(text: string): Structure {
  const bom = JSON.parse(text) as {
    components: Array<{ 'bom-ref': string; name: string; version: string }>;
    vulnerabilities: Array<{ id: string; affects: Array<{ ref: string }>; recommendation: string }>;
  };
  const byRef = new Map(bom.components.map((c) => [c['bom-ref'], `${c.name}==${c.version}`]));
  return {
    components: [...byRef.values()].sort(),
    vulnerabilities: bom.vulnerabilities
      .map(
        (v) =>
          `${v.id} → ${v.affects.map((a) => byRef.get(a.ref)).join(',')}: ${v.recommendation.split(' ')[0]}`,
      )
      .sort(),
  };
}

function structureOfXml(text: string): Structure {
  type Many<T> = T | T[];
  const list = <T>(x: Many<T>): T[] => (Array.isArray(x) ? x : [x]);
  const doc = create(text).end({ format: 'object' }) as {
    bom: {
      components: { component: Many<{ '@bom-ref': string; name: string; version: string }> };
      vulnerabilities: {
        vulnerability: Many<{
          id: string;
          recommendation: string;
          affects: { target: Many<{ ref: string }> };
        }>;
      };
    };
  };
  const byRef = new Map(
    list(doc.bom.components.component).map((c) => [c['@bom-ref'], `${c.name}==${c.version}`]),
  );
  return {
    components: [...byRef.values()].sort(),
    vulnerabilities: list(doc.bom.vulnerabilities.vulnerability)
      .map(
        (v) =>
          `${v.id} → ${list(v.affects.target)
            .map((t) => byRef.get(t.ref))
            .join(',')}: ${v.recommendation.split(' ')[0]}`,
      )
      .sort(),
  };
}

let pypa: OsvTestServer;
describeShared('cyclonedx: the same BOM structure as pip-audit 2.10.1', () => {
  beforeAll(async () => {
    pypa = await startOsvServer(loadAdvisories(sharedPath('advisory-database', 'vulns')));
  });
  afterAll(() => pypa?.close());

  it.each([
    ['cyclonedx-json', structureOfJson],
    ['cyclonedx-xml', structureOfXml],
  ] as const)('%s', async (format, structure) => {
    const dir = sharedPath('pip-audit-conformance', 'cyclonedx', 'small');
    const expected = structure(readFileSync(path.join(dir, format, 'stdout'), 'utf8'));
    expect(expected.components).toHaveLength(7);
    expect(expected.vulnerabilities).toHaveLength(67);
    const result = await runCli(
      ['--osv-url', pypa.url, '-r', 'requirements.txt', '-f', format, '--cyclonedx-spec', '1.4'],
      { cwd: dir },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Found 67 known vulnerabilities in 7 packages\n');
    expect(structure(result.stdout)).toEqual(expected);
  });
});
