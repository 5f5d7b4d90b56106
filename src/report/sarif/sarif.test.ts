import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type * as Sarif from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeverityAudit, type SeverityAudit } from '../../../test/helpers/severity-audit.js';
import { describeShared, sharedPath } from '../../../test/helpers/shared.js';
import { VERSION } from '../../version.js';

let audit: SeverityAudit;
let log: Sarif.Log;
let code: number;

beforeAll(async () => {
  audit = await startSeverityAudit();
  // low-pkg's finding has no fix: --ignore-unfixed makes it an ignored (suppressed) result.
  const result = await audit.run(['.', '-f', 'sarif', '--ignore-unfixed']);
  log = JSON.parse(result.stdout) as Sarif.Log;
  code = result.code;
});
afterAll(() => audit.close());

const run = (): Sarif.Run => log.runs[0]!;

describe('sarif report', () => {
  it('has one rule per vulnerability, with security-severity, level and help', () => {
    expect(code).toBe(1);
    expect(log.version).toBe('2.1.0');
    expect(run().tool.driver).toMatchObject({ name: 'pyaudit', version: VERSION });
    const rules = run().tool.driver.rules!;
    expect(
      rules.map((r) => [
        r.id,
        r.properties!['security-severity'],
        r.defaultConfiguration!.level,
        r.helpUri,
      ]),
    ).toEqual([
      ['PYSEC-2099-101', '9.8', 'error', 'https://osv.dev/vulnerability/PYSEC-2099-101'],
      ['MAL-2099-1', '10.0', 'error', 'https://osv.dev/vulnerability/MAL-2099-1'],
      ['GHSA-h1gh-0002-bbbb', '8.5', 'error', 'https://osv.dev/vulnerability/GHSA-h1gh-0002-bbbb'],
      ['GHSA-l0w0-0004-dddd', '2.0', 'note', 'https://osv.dev/vulnerability/GHSA-l0w0-0004-dddd'],
      ['PYSEC-2099-103', '4.3', 'warning', 'https://osv.dev/vulnerability/PYSEC-2099-103'],
      ['MAL-2099-2', '10.0', 'error', 'https://osv.dev/vulnerability/MAL-2099-2'],
      ['PYSEC-2099-105', '7.0', 'error', 'https://osv.dev/vulnerability/PYSEC-2099-105'],
    ]);
    expect(rules[0]).toEqual({
      id: 'PYSEC-2099-101',
      name: 'PYSEC-2099-101',
      shortDescription: {
        text: "PYSEC-2099-101: Remote code execution in crit-pkg's template loader.",
      },
      fullDescription: { text: "Remote code execution in crit-pkg's template loader." },
      help: {
        text:
          "Remote code execution in crit-pkg's template loader.\n\n" +
          'Severity: critical (9.8). Also known as CVE-2099-1001, GHSA-c7it-0001-aaaa.\n' +
          'Upgrade to a fixed version: 1.0.1.\n\n' +
          'https://osv.dev/vulnerability/PYSEC-2099-101\n' +
          'https://example.org/advisories/crit-pkg-rce\n' +
          'https://example.org/crit-pkg/commit/abc123\n' +
          'https://github.com/advisories/GHSA-c7it-0001-aaaa',
        markdown:
          '**PYSEC-2099-101**, severity critical (9.8). Also known as CVE-2099-1001, GHSA-c7it-0001-aaaa.\n\n' +
          "Remote code execution in crit-pkg's template loader.\n\n" +
          '**Fix:** Upgrade to a fixed version: 1.0.1.\n\n' +
          '- <https://osv.dev/vulnerability/PYSEC-2099-101>\n' +
          '- <https://example.org/advisories/crit-pkg-rce>\n' +
          '- <https://example.org/crit-pkg/commit/abc123>\n' +
          '- <https://github.com/advisories/GHSA-c7it-0001-aaaa>',
      },
      helpUri: 'https://osv.dev/vulnerability/PYSEC-2099-101',
      defaultConfiguration: { level: 'error' },
      properties: {
        'security-severity': '9.8',
        tags: ['security', 'vulnerability'],
        precision: 'very-high',
      },
    });
    expect(rules[1]!.properties!.tags).toEqual(['security', 'vulnerability', 'malicious']);
    // Hostile text stays text: markdown help escapes it.
    expect(rules[6]!.help!.markdown).toContain(
      '\\<img src=x onerror="alert\\(1\\)"\\> & \\<script\\>alert\\(\'x\'\\)\\</script\\>',
    );
  });

  it('has one result per affected dependency at its lock entry; ignored ones are suppressed', () => {
    expect(
      run().results!.map((r) => [
        r.ruleId,
        r.level,
        r.locations![0]!.physicalLocation!.artifactLocation!.uri,
        r.locations![0]!.physicalLocation!.region!.startLine,
        r.locations![0]!.logicalLocations![0]!.fullyQualifiedName,
        r.suppressions?.[0]?.justification ?? null,
      ]),
    ).toEqual([
      ['PYSEC-2099-101', 'error', 'uv.lock', 22, 'crit-pkg==1.0.0', null],
      ['MAL-2099-1', 'error', 'uv.lock', 30, 'evil-pkg==0.1.1', null],
      ['GHSA-h1gh-0002-bbbb', 'error', 'uv.lock', 35, 'high-pkg==1.2.0', null],
      [
        'GHSA-l0w0-0004-dddd',
        'note',
        'uv.lock',
        48,
        'low-pkg==0.4',
        'no fix version (--ignore-unfixed)',
      ],
      ['PYSEC-2099-103', 'warning', 'uv.lock', 53, 'med-pkg==3.0', null],
      ['MAL-2099-2', 'error', 'uv.lock', 61, 'typo-pkg==2.0.0', null],
      ['PYSEC-2099-105', 'error', 'uv.lock', 66, 'unknown-pkg==0.8', null],
    ]);
    expect(run().results![4]).toEqual({
      ruleId: 'PYSEC-2099-103',
      ruleIndex: 4,
      level: 'warning',
      message: {
        text: 'med-pkg 3.0 is affected by PYSEC-2099-103 (medium (4.3)). Upgrade to a fixed version: 3.1, 4.0.2. Pulled in by high-pkg.',
      },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: 'uv.lock' }, region: { startLine: 53 } },
          logicalLocations: [
            { name: 'med-pkg', fullyQualifiedName: 'med-pkg==3.0', kind: 'package' },
          ],
        },
      ],
      partialFingerprints: { 'pyaudit/dependency-vulnerability/v1': 'med-pkg==3.0:PYSEC-2099-103' },
      properties: {
        package: 'med-pkg',
        version: '3.0',
        fixVersions: ['3.1', '4.0.2'],
        aliases: ['CVE-2099-1003'],
        severity: 'medium',
        direct: false,
        via: ['high-pkg'],
      },
    });
    expect(run().results![4]!.suppressions).toBeUndefined();
    expect(run().results![3]!.suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification: 'no fix version (--ignore-unfixed)' },
    ]);
  });

  it('lists dependencies that could not be audited as notifications at their entry (the project itself is left out on purpose)', () => {
    expect(run().invocations).toEqual([
      {
        executionSuccessful: true,
        toolExecutionNotifications: [
          {
            level: 'warning',
            message: {
              text: 'local-thing was not audited: installed from directory vendor/local-thing and the lock gives no version',
            },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: 'uv.lock' },
                  region: { startLine: 43 },
                },
                logicalLocations: [
                  { name: 'local-thing', fullyQualifiedName: 'local-thing', kind: 'package' },
                ],
              },
            ],
          },
        ],
      },
    ]);
  });

  it('locates requirements findings at their line', async () => {
    const result = await audit.run(['-r', 'requirements.txt', '-f', 'sarif'], requirementsFolder());
    const first = (JSON.parse(result.stdout) as Sarif.Log).runs[0]!.results![0]!;
    expect(first.locations![0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'requirements.txt' },
      region: { startLine: 2 },
    });
  });
});

describe('sarif report: pyproject locations', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pyaudit-sarif-'));
    await writeFile(
      path.join(dir, 'pyproject.toml'),
      '[project]\nname = "demo"\nversion = "1.0"\ndependencies = [\n  "high-pkg>=1",\n  "med-pkg==3.0",\n]\n',
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('locates a pyproject finding at its entry, and the unpinned one as a notification', async () => {
    const result = await audit.run(['.', '--no-deps', '-f', 'sarif'], dir);
    const sarif = (JSON.parse(result.stdout) as Sarif.Log).runs[0]!;
    expect(sarif.results!.map((r) => [r.ruleId, r.locations![0]!.physicalLocation])).toEqual([
      ['PYSEC-2099-103', { artifactLocation: { uri: 'pyproject.toml' }, region: { startLine: 6 } }],
    ]);
    expect(
      sarif.invocations![0]!.toolExecutionNotifications!.map(
        (n) => n.locations![0]!.physicalLocation,
      ),
    ).toEqual([{ artifactLocation: { uri: 'pyproject.toml' }, region: { startLine: 5 } }]);
  });
});

/** A folder with a requirements.txt whose second line is a vulnerable pin. */
function requirementsFolder(): string {
  return new URL('../../../test/fixtures/severity/requirements', import.meta.url).pathname;
}

describeShared('sarif report: schema', () => {
  it('validates against the SARIF 2.1.0 schema', () => {
    const text = readFileSync(sharedPath('schemas', 'sarif-schema-2.1.0.json'), 'utf8');
    // SARIF 2.1.0 Errata 01 (see ../shared/schemas/README.md): the 2.1.0 schema's `language`
    // pattern is not a valid regular expression; the errata's is.
    const fixed = text.replaceAll(
      '"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"',
      '"^[a-zA-Z]{2}(-[a-zA-Z]{2})?$"',
    );
    expect(fixed).not.toBe(text);
    const schema = JSON.parse(fixed) as object;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(log) ? [] : validate.errors).toEqual([]);
  });
});
