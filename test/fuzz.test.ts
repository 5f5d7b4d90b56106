/**
 * Hostile input for every parser (issue 11): random text and bytes, and mutations of the real
 * fixtures (cut, duplicated, spliced and truncated ranges, inserted random text). A parser may
 * return or throw one of the project's typed errors (each becomes one clear line); any other
 * exception (TypeError, RangeError, a stack overflow) or a call slower than two seconds fails.
 *
 * `npm test` runs a few hundred inputs per parser; `npm run fuzz` runs 100,000
 * (PYAUDIT_FUZZ_RUNS) with a fresh seed each time and prints the seed of any failure.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { PyauditError } from '../src/core/errors.js';
import { parseCoreMetadata, parseRequiresTxt } from '../src/sources/environment/metadata.js';
import { parsePdmLock } from '../src/sources/lock/pdm.js';
import { parsePipfileLock } from '../src/sources/lock/pipfile.js';
import { parsePoetryLock } from '../src/sources/lock/poetry.js';
import { parseUvLock } from '../src/sources/lock/uv.js';
import { parseCondaEnvironment } from '../src/sources/manifest/conda.js';
import { parsePipfile } from '../src/sources/manifest/pipfile.js';
import { parsePyproject } from '../src/sources/manifest/pyproject.js';
import { parseScriptMetadata } from '../src/sources/manifest/script.js';
import { parsePylock } from '../src/sources/pylock/parse.js';
import { parseRequirementsText } from '../src/sources/requirements/parse.js';
import { readSbom } from '../src/sources/sbom/read.js';
import {
  evaluateMarker,
  InvalidMarkerError,
  parseMarker,
  UndefinedComparisonError,
  UndefinedEnvironmentNameError,
} from '../src/standards/markers.js';
import { describeRecord, fixVersions, isAffected } from '../src/standards/osv.js';
import {
  compareVersions,
  InvalidSpecifierError,
  parseVersion,
  specifierContains,
} from '../src/standards/pep440.js';
import { InvalidRequirementError, parseRequirement } from '../src/standards/pep508.js';
import { PepSyntaxError } from '../src/standards/tokenizer.js';
import { advisoryProblem, matchAdvisory, type EsmsAdvisory } from '../src/vulns/esms/service.js';
import { decodeDatabase, DatabaseFormatError, encodeDatabase } from '../src/vulns/local/format.js';
import { parseRecordText, readZip } from '../src/vulns/local/sources.js';
import {
  fromSummary,
  isRecordSummary,
  summarizeRecord,
  toVulnerability,
} from '../src/vulns/record.js';
import { demoRecords, FIXTURES_DIR } from './helpers/fixtures.js';
import { sharedAvailable, sharedPath } from './helpers/shared.js';

const RUNS = Number(process.env.PYAUDIT_FUZZ_RUNS ?? 300);
/** Replays a failure that fast-check printed: PYAUDIT_FUZZ_SEED=… PYAUDIT_FUZZ_PATH=… */
const REPLAY =
  process.env.PYAUDIT_FUZZ_SEED !== undefined
    ? {
        seed: Number(process.env.PYAUDIT_FUZZ_SEED),
        ...(process.env.PYAUDIT_FUZZ_PATH !== undefined && { path: process.env.PYAUDIT_FUZZ_PATH }),
      }
    : {};
const SLOW_MS = 2000;
/** Generous: a 100,000-input campaign on a busy 2-core machine. */
const TIMEOUT_MS = Math.max(30_000, RUNS * 20);
/** Errors that are a clear answer to bad input. */
const CLEAR = [
  PyauditError,
  InvalidRequirementError,
  InvalidMarkerError,
  // Marker evaluation errors (`===` on non-versions, unknown variables), as packaging raises
  // them; callers turn them into one line naming the file.
  UndefinedComparisonError,
  UndefinedEnvironmentNameError,
  InvalidSpecifierError,
  PepSyntaxError,
  DatabaseFormatError,
];

function tolerate(parse: () => unknown): void {
  const started = performance.now();
  try {
    parse();
  } catch (error) {
    if (!CLEAR.some((kind) => error instanceof kind)) throw error;
  }
  const ms = performance.now() - started;
  if (ms > SLOW_MS) throw new Error(`took ${Math.round(ms)} ms`);
}

const fixture = (...parts: string[]): string => readFileSync(path.join(...parts), 'utf8');

/** Random edits of a real file: what a truncated download or a bad merge produces. */
function mutated(seed: string): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.tuple(fc.constant('cut' as const), fc.nat(), fc.nat({ max: 200 }), fc.constant('')),
    fc.tuple(fc.constant('dup' as const), fc.nat(), fc.nat({ max: 200 }), fc.constant('')),
    fc.tuple(
      fc.constant('insert' as const),
      fc.nat(),
      fc.constant(0),
      fc.string({ maxLength: 20 }),
    ),
    fc.tuple(
      fc.constant('insert' as const),
      fc.nat(),
      fc.constant(0),
      fc.constantFrom('"', "'", '[', ']', '{', '}', '=', '\n', '\\', '#', ';', ',', '\0', '\uFEFF'),
    ),
    fc.tuple(fc.constant('truncate' as const), fc.nat(), fc.constant(0), fc.constant('')),
  );
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let text = seed;
    for (const [kind, at, length, inserted] of edits) {
      const i = text.length === 0 ? 0 : at % text.length;
      if (kind === 'cut') text = text.slice(0, i) + text.slice(i + length);
      else if (kind === 'dup') text = text.slice(0, i + length) + text.slice(i);
      else if (kind === 'insert') text = text.slice(0, i) + inserted + text.slice(i);
      else text = text.slice(0, i);
    }
    return text;
  });
}

/** Random text, or a mutation of one of the fixtures. */
function inputs(fixtures: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 400 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 400 }) },
    ...fixtures.map((f) => ({ weight: 3, arbitrary: mutated(f) })),
  );
}

function fuzz(name: string, fixtures: readonly string[], parse: (text: string) => unknown): void {
  it(
    name,
    () => {
      fc.assert(
        fc.property(inputs(fixtures), (text) => tolerate(() => parse(text))),
        { numRuns: RUNS, ...REPLAY },
      );
    },
    TIMEOUT_MS,
  );
}

const PROJECTS = path.join(FIXTURES_DIR, 'projects');
const sharedFixture = (...parts: string[]): string[] =>
  sharedAvailable() ? [fixture(sharedPath(...parts))] : [];

describe('fuzzed parsers raise only clear errors', () => {
  const requirements = ['app.txt', 'base.txt', 'hashed.txt', 'env-vars.txt'].map((f) =>
    fixture(FIXTURES_DIR, 'requirements', f),
  );
  fuzz('requirements files', requirements, (t) => parseRequirementsText(t, { HOME: '/h' }));
  fuzz(
    'PEP 508 requirements',
    ['requests[security,socks]>=2.8.1,==2.8.*; python_version < "2.7" and os_name == "posix"'],
    (t) => parseRequirement(t),
  );
  fuzz(
    'markers, parsed and evaluated',
    ['python_version >= "3.8" and (sys_platform == "linux" or extra == "dev")'],
    (t) =>
      evaluateMarker(parseMarker(t), {
        python_version: '3.12',
        sys_platform: 'linux',
        extra: 'dev',
      }),
  );
  fuzz('PEP 440 versions and specifiers', ['>=1.0a1,<2,!=1.5.*,~=1.2.post1'], (t) => {
    parseVersion(t);
    compareVersions(t, '1.0');
    return specifierContains(t, '1.5b1');
  });
  fuzz('uv.lock', [fixture(PROJECTS, 'uv-workspace', 'uv.lock')], (t) => parseUvLock(t, 'uv.lock'));
  fuzz('poetry.lock', [fixture(PROJECTS, 'poetry2', 'poetry.lock')], (t) =>
    parsePoetryLock(t, 'poetry.lock'),
  );
  fuzz('pdm.lock', sharedFixture('parser-fixtures/syft/pdm-lock/pdm-lock/pdm.lock'), (t) =>
    parsePdmLock(t, 'pdm.lock'),
  );
  fuzz(
    'Pipfile.lock',
    sharedFixture('parser-fixtures/syft/pipfile-lock/pipfile-lock/Pipfile.lock'),
    (t) => parsePipfileLock(t, 'Pipfile.lock'),
  );
  fuzz('pylock.toml', [fixture(FIXTURES_DIR, 'pylock', 'pylock.toml')], (t) =>
    parsePylock(t, 'pylock.toml'),
  );
  fuzz(
    'pyproject.toml',
    [
      fixture(PROJECTS, 'pep735', 'pyproject.toml'),
      fixture(PROJECTS, 'poetry-manifest', 'pyproject.toml'),
    ],
    (t) => parsePyproject(t, 'pyproject.toml'),
  );
  fuzz('Pipfile', [fixture(PROJECTS, 'pipenv', 'Pipfile')], (t) => parsePipfile(t, 'Pipfile'));
  fuzz('PEP 723 scripts', [fixture(PROJECTS, 'script.py')], (t) =>
    parseScriptMetadata(t, 'script.py'),
  );
  fuzz('conda environment.yml', [fixture(PROJECTS, 'conda', 'environment.yml')], (t) =>
    parseCondaEnvironment(t, 'environment.yml'),
  );
  fuzz('CycloneDX JSON', [fixture(PROJECTS, 'sbom', 'bom.cdx.json')], (t) =>
    readSbom(t, 'bom.cdx.json', 'cyclonedx-json'),
  );
  fuzz('CycloneDX XML', [fixture(PROJECTS, 'sbom', 'bom.cdx.xml')], (t) =>
    readSbom(t, 'bom.cdx.xml', 'cyclonedx-xml'),
  );
  fuzz('SPDX JSON', [fixture(PROJECTS, 'sbom', 'app.spdx.json')], (t) =>
    readSbom(t, 'app.spdx.json', 'spdx-json'),
  );
  fuzz(
    'METADATA and requires.txt',
    [
      fixture(FIXTURES_DIR, 'environment', 'site-packages', 'Jinja2-2.10.dist-info', 'METADATA'),
      '[security]\npyOpenSSL>=0.14\n\n[socks:sys_platform == "win32"]\nwin-inet-pton\n',
    ],
    (t) => {
      parseCoreMetadata(t);
      return parseRequiresTxt(t);
    },
  );

  const records = demoRecords().map((r) => JSON.stringify(r, null, 1));
  const useRecords = (text: string, where: string): void => {
    for (const record of parseRecordText(text, where)) {
      for (const name of ['demo-pkg', 'other-pkg']) {
        isAffected(record, name, '1.0.5');
        fixVersions(record, name);
        toVulnerability(record, name, 'local');
      }
      describeRecord(record);
    }
  };
  fuzz('OSV records (JSON), matched as the audit matches them', records, (t) =>
    useRecords(t, 'record.json'),
  );
  fuzz(
    'OSV records (YAML)',
    sharedAvailable()
      ? [fixture(sharedPath('advisory-database', 'vulns', 'django', 'PYSEC-2021-9.yaml'))]
      : [],
    (t) => useRecords(t, 'record.yaml'),
  );

  // Summaries read back from the cache (osv/summaries.json): what passes the check becomes a
  // finding and is rated without a crash; what does not is never used.
  fuzz(
    'cached record summaries',
    demoRecords().map((r) => JSON.stringify(summarizeRecord(r, 'demo-pkg'))),
    (t) => {
      let value: unknown;
      try {
        value = JSON.parse(t);
      } catch {
        return;
      }
      if (isRecordSummary(value)) void fromSummary(value, 'osv').ratings;
    },
  );

  // ecosyste.ms answers: what passes the check is matched, scored and rated without a crash.
  const esmsAnswer = JSON.stringify(
    [
      {
        identifiers: ['GHSA-aaaa-bbbb-cccc', 'CVE-2099-0001', 'MAL-2099-1'],
        title: 'Demo flaw',
        severity: 'HIGH',
        cvss_vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        references: ['https://example.org/advisory', null],
        published_at: '2099-01-01T00:00:00Z',
        withdrawn_at: null,
        packages: [
          {
            ecosystem: 'pypi',
            package_name: 'demo-pkg',
            versions: [
              { vulnerable_version_range: '>= 1.0, < 1.2', first_patched_version: '1.2' },
              { vulnerable_version_range: '= 1.0.5', first_patched_version: null },
            ],
          },
        ],
      },
    ],
    null,
    1,
  );
  fuzz('ecosyste.ms advisories answers', [esmsAnswer], (text) => {
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      return;
    }
    for (const advisory of Array.isArray(answer) ? answer : [answer]) {
      if (advisoryProblem(advisory) !== null) continue;
      const vuln = matchAdvisory(advisory as EsmsAdvisory, 'demo-pkg', '1.0.5', 'http://x/');
      void vuln?.ratings;
    }
  });

  it('deep nesting in every format is a clear error, never a stack overflow', () => {
    const n = 100_000;
    const nested = `${'['.repeat(n)}${']'.repeat(n)}`;
    const parens = `${'('.repeat(n)}python_version > "3"${')'.repeat(n)}`;
    const cases: Array<() => unknown> = [
      () => parseUvLock(`a = ${nested}`, 'uv.lock'),
      () => parsePyproject(`a = ${nested}`, 'pyproject.toml'),
      () => parseCondaEnvironment(`a: ${nested}`, 'environment.yml'),
      () => readSbom(`{"a": ${nested}}`, 'bom.json', 'cyclonedx-json'),
      () =>
        readSbom(`<bom>${'<a>'.repeat(n)}${'</a>'.repeat(n)}</bom>`, 'bom.xml', 'cyclonedx-xml'),
      () => parseRecordText(`{"id": "X", "a": ${nested}}`, 'x.json'),
      () => parseRecordText(`id: X\na: ${nested}`, 'x.yaml'),
      () => parseMarker(parens),
      () => parseRequirement(`a; ${parens}`),
      () => parseRequirementsText(`a; ${parens}\n`),
    ];
    for (const parse of cases) tolerate(parse);
  });

  it(
    'zip archives of OSV records',
    () => {
      const zip = zipSync(
        Object.fromEntries(
          demoRecords().map((r) => [`${r.id}.json`, Buffer.from(JSON.stringify(r))]),
        ),
      );
      fc.assert(
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 400 }),
            mutated(Buffer.from(zip).toString('latin1')).map((s) => Buffer.from(s, 'latin1')),
          ),
          (bytes) => tolerate(() => readZip(bytes, 'all.zip')),
        ),
        { numRuns: RUNS, ...REPLAY },
      );
    },
    TIMEOUT_MS,
  );

  it(
    'offline database files',
    () => {
      const db = encodeDatabase(demoRecords(), { built: '2099-01-01T00:00:00.000Z', sources: [] });
      fc.assert(
        fc.property(
          mutated(db.toString('latin1')).map((s) => Buffer.from(s, 'latin1')),
          (bytes) => tolerate(() => decodeDatabase(bytes)),
        ),
        { numRuns: RUNS, ...REPLAY },
      );
    },
    TIMEOUT_MS,
  );
});
