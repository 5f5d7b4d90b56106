import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/helpers/shared.js';
import type { Dependency } from '../../core/dependency.js';
import { collectRequirements, type RequirementsCollectOptions } from './collect.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/requirements');
const linux = {
  os_name: 'posix',
  sys_platform: 'linux',
  platform_system: 'Linux',
  platform_machine: 'x86_64',
};

function fromDisk(extra: Partial<RequirementsCollectOptions> = {}): RequirementsCollectOptions {
  return {
    readFile: (f) => readFile(path.resolve(FIXTURES, f)),
    markerEnvironment: linux,
    ...extra,
  };
}

/** In-memory files for cases that need no disk. */
function inMemory(
  files: Record<string, string>,
  extra: Partial<RequirementsCollectOptions> = {},
): RequirementsCollectOptions {
  return {
    readFile: async (f) => {
      const text = files[f];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${f}`), { code: 'ENOENT' });
      return Buffer.from(text);
    },
    markerEnvironment: linux,
    ...extra,
  };
}

const brief = (deps: Dependency[]): string[] =>
  deps.map((d) =>
    d.kind === 'resolved'
      ? `${d.name} ${d.version} @${d.origin.file}:${d.origin.line}`
      : `${d.name} skipped(${d.skipKind}): ${d.skipReason}`,
  );

describe('collecting requirements files', () => {
  it('follows -r and -c relative to the including file, applies constraints and markers', async () => {
    const result = await collectRequirements(['app.txt'], fromDisk());
    expect(brief(result.dependencies)).toEqual([
      'jinja2 2.10 @base.txt:1',
      'django 3.2.0 @app.txt:7',
      'requests 2.19.0 @app.txt:8',
      'pywin32 skipped(not-applicable): not installed in the target environment (marker: sys_platform == "win32")',
      'flask 0.12 @app.txt:10',
      'colorama 0.4.6 @app.txt:11',
      './vendor/localpkg skipped(url): URL requirements cannot be pinned to a specific package version',
      'tool skipped(editable): editable requirement cannot be pinned to a specific package version (git+https://github.com/example/tool.git@v1.0#egg=tool)',
    ]);
    // base.txt includes app.txt back: the cycle ends, nothing is read twice.
    expect(result.requirements.filter((r) => r.entry.requirement?.name === 'Django')).toHaveLength(
      1,
    );
    // urllib3 is only a constraint: constraints never add packages.
    expect(result.dependencies.some((d) => d.name === 'urllib3')).toBe(false);
    expect(result.dependencies.find((d) => d.name === 'colorama')?.marker).toBe(
      'python_version < "3.8"',
    );
    expect(result.options[0]).toMatchObject({
      indexUrl: 'https://pypi.example.org/simple',
      extraIndexUrls: ['https://mirror.example.org/simple'],
    });
  });

  it('ends include cycles', async () => {
    const result = await collectRequirements(['cycle-a.txt'], fromDisk());
    expect(brief(result.dependencies)).toEqual([
      'idna 2.7 @cycle-b.txt:2',
      'six 1.16.0 @cycle-a.txt:2',
    ]);
  });

  it('reads UTF-16 with a BOM and CRLF, UTF-8 with a BOM and no final newline, PEP 263 latin-1', async () => {
    const result = await collectRequirements(
      ['utf16-crlf.txt', 'utf8-bom-no-newline.txt', 'latin1-coding.txt'],
      fromDisk(),
    );
    expect(brief(result.dependencies)).toEqual([
      'pyyaml 5.3 @utf16-crlf.txt:1',
      'pillow 8.0.0 @utf16-crlf.txt:3',
      'urllib3 1.24.1 @utf8-bom-no-newline.txt:1',
      'six 1.16.0 @latin1-coding.txt:3',
    ]);
  });

  it('names the file when it is not valid UTF-8', async () => {
    await expect(collectRequirements(['invalid-utf8.txt'], fromDisk())).rejects.toThrow(
      'invalid-utf8.txt: the file is not valid UTF-8',
    );
  });

  it('expands ${VAR} from the environment given, and says which variable is unset', async () => {
    const env = {
      PYAUDIT_TEST_SUFFIX: 'core',
      PYAUDIT_TEST_TOKEN: 't0k',
      UNSET_VARIABLE_FOR_TEST: '2.0',
    };
    const result = await collectRequirements(['env-vars.txt'], fromDisk({ env }));
    expect(brief(result.dependencies)).toEqual([
      'pkg-core 1.0 @env-vars.txt:2',
      'other 2.0 @env-vars.txt:3',
    ]);
    expect(result.options[0]!.extraIndexUrls).toEqual(['https://t0k@private.example.org/simple']);
    await expect(
      collectRequirements(['env-vars.txt'], fromDisk({ env: { PYAUDIT_TEST_SUFFIX: 'core' } })),
    ).rejects.toThrow(
      "env-vars.txt:3: invalid requirement 'other==${UNSET_VARIABLE_FOR_TEST}': Expected semicolon (after name with no version specifier) or end (the environment variable UNSET_VARIABLE_FOR_TEST is not set)",
    );
  });

  it('accepts a fully hashed file; --require-hashes or one hash demands hashes everywhere', async () => {
    const hashed = await collectRequirements(['hashed.txt'], fromDisk({ requireHashes: true }));
    expect(brief(hashed.dependencies)).toEqual([
      'django 3.2.0 @hashed.txt:1',
      'requests 2.19.0 @hashed.txt:3',
    ]);
    await expect(
      collectRequirements(['cycle-a.txt'], fromDisk({ requireHashes: true })),
    ).rejects.toThrow(
      'cycle-b.txt:2: requirement idna==2.7 does not contain a hash (--require-hashes is on)',
    );
    await expect(
      collectRequirements(
        ['r.txt'],
        inMemory({ 'r.txt': 'a==1 --hash=sha256:00\nb>=1 --hash=sha256:01\n' }),
      ),
    ).rejects.toThrow('r.txt:2: requirement b>=1 must be pinned with == in hash-checking mode');
  });

  it('merges identical pins and rejects conflicting ones with both locations', async () => {
    const merged = await collectRequirements(
      ['r.txt'],
      inMemory({ 'r.txt': 'Django==3.2.0\ndjango==3.2\ndjango>=3\n' }),
    );
    expect(brief(merged.dependencies)).toEqual(['django 3.2.0 @r.txt:1']);
    await expect(
      collectRequirements(['r.txt'], inMemory({ 'r.txt': 'django==3.2.0\ndjango<3\n' })),
    ).rejects.toThrow(
      'r.txt:2: package django has conflicting requirements: django<3 excludes 3.2.0 pinned at r.txt:1',
    );
  });

  it('a pin and its exclusion under different markers is not a conflict', async () => {
    const files = {
      'r.txt': 'numpy==1.16.0 ; sys_platform == "win32"\nnumpy==1.21.0 ; sys_platform != "win32"\n',
    };
    const result = await collectRequirements(['r.txt'], inMemory(files));
    expect(brief(result.dependencies)).toEqual([
      'numpy skipped(not-applicable): not installed in the target environment (marker: sys_platform == "win32")',
      'numpy 1.21.0 @r.txt:2',
    ]);
  });

  it('pins by === and by a single == among other clauses; wildcards are not pins', async () => {
    const files = { 'r.txt': 'a===1.0\nb>=1,==1.5,<2\nc==1.*\nd\n' };
    const result = await collectRequirements(['r.txt'], inMemory(files));
    expect(brief(result.dependencies)).toEqual([
      'a 1.0 @r.txt:1',
      'b 1.5 @r.txt:2',
      'c skipped(unpinned): requirement is not pinned to an exact version: c==1.*',
      'd skipped(unpinned): requirement is not pinned: d',
    ]);
  });

  it('--skip-editable leaves editables out on purpose', async () => {
    const result = await collectRequirements(
      ['r.txt'],
      inMemory({ 'r.txt': '-e ./pkg\n' }, { skipEditable: true }),
    );
    expect(brief(result.dependencies)).toEqual([
      './pkg skipped(excluded): requirement marked as editable (--skip-editable)',
    ]);
  });

  it('reads standard input for -, includes relative to the working directory', async () => {
    const files = { '-': '-r other.txt\nsix==1.16.0\n', 'other.txt': 'idna==2.7\n' };
    const result = await collectRequirements(['-'], inMemory(files));
    expect(brief(result.dependencies)).toEqual(['idna 2.7 @other.txt:1', 'six 1.16.0 @-:2']);
  });

  it('names the including line when an included file is missing', async () => {
    await expect(
      collectRequirements(['r.txt'], inMemory({ 'r.txt': 'a==1\n-r missing.txt\n' })),
    ).rejects.toThrow('r.txt:2: cannot read included file missing.txt: no such file');
    await expect(
      collectRequirements(['r.txt'], inMemory({ 'r.txt': '-r https://example.org/r.txt\n' })),
    ).rejects.toThrow(
      'r.txt:1: remote requirements files are not supported (https://example.org/r.txt); download it and pass the local copy',
    );
  });
});
