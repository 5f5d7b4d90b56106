/**
 * Severity on the command line: `--severity`, `--min-severity`, `--fail-on`,
 * `--fail-on-unknown`, `--fail-on-fixable-only`, `--ignore-unfixed` and malicious packages,
 * each with its exact exit code and stderr, against the test OSV server serving
 * test/fixtures/severity/records (one record of every severity, two malicious packages).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAdvisories } from './helpers/advisories.js';
import { runCli } from './helpers/run-cli.js';
import { REPO_ROOT } from './helpers/shared.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

let server: OsvTestServer;
let dir: string;

const FILES: Record<string, string> = {
  // one finding of every severity, two of them malicious
  'all.txt':
    'crit-pkg==1.0.0\nevil-pkg==0.1.1\nhigh-pkg==1.2.0\nlow-pkg==0.4\nmed-pkg==3.0\ntypo-pkg==2.0.0\nunknown-pkg==0.8\n',
  'mixed.txt': 'high-pkg==1.2.0\nmed-pkg==3.0\nunknown-pkg==0.8\n',
  'unfixed.txt': 'low-pkg==0.4\n',
  'fixable.txt': 'low-pkg==0.4\nmed-pkg==3.0\n',
  'evil.txt': 'evil-pkg==0.1.1\n',
};

beforeAll(async () => {
  server = await startOsvServer(
    loadAdvisories(path.join(REPO_ROOT, 'test/fixtures/severity/records')),
  );
  dir = await mkdtemp(path.join(tmpdir(), 'pyaudit-severity-'));
  for (const [name, text] of Object.entries(FILES)) await writeFile(path.join(dir, name), text);
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const run = (args: string[]) => runCli(['--osv-url', server.url, ...args], { cwd: dir });

const MALICIOUS =
  'pyaudit: warning: evil-pkg 0.1.1 is a known malicious package (MAL-2099-1): remove it and treat machines that installed it as compromised\n' +
  'pyaudit: warning: typo-pkg 2.0.0 is a known malicious package (MAL-2099-2): remove it and treat machines that installed it as compromised\n';

const MIXED_TABLE =
  'Name        Version ID                  Fix Versions\n' +
  '----------- ------- ------------------- ------------\n' +
  'high-pkg    1.2.0   GHSA-h1gh-0002-bbbb 1.3.0\n' +
  'med-pkg     3.0     PYSEC-2099-103      3.1,4.0.2\n' +
  'unknown-pkg 0.8     PYSEC-2099-105      0.9\n';

describe('severity policy on the command line', () => {
  it('by default: every finding fails (exit 1), as in pip-audit; malicious packages are warned about', async () => {
    const result = await run(['-r', 'all.txt']);
    expect(result.stderr).toBe(`${MALICIOUS}Found 7 known vulnerabilities in 7 packages\n`);
    expect(result.code).toBe(1);
  });

  it('--severity adds a Severity column (the highest of merged records) and counts by severity', async () => {
    const result = await run(['-r', 'all.txt', '--severity']);
    expect(result.stdout).toBe(
      'Name        Version ID                  Fix Versions Severity\n' +
        '----------- ------- ------------------- ------------ --------------\n' +
        'crit-pkg    1.0.0   PYSEC-2099-101      1.0.1        critical (9.8)\n' +
        'evil-pkg    0.1.1   MAL-2099-1                       malicious\n' +
        'high-pkg    1.2.0   GHSA-h1gh-0002-bbbb 1.3.0        high (8.5)\n' +
        'low-pkg     0.4     GHSA-l0w0-0004-dddd              low\n' +
        'med-pkg     3.0     PYSEC-2099-103      3.1,4.0.2    medium (4.3)\n' +
        'typo-pkg    2.0.0   MAL-2099-2                       malicious\n' +
        'unknown-pkg 0.8     PYSEC-2099-105      0.9          unknown\n',
    );
    expect(result.stderr).toBe(
      `${MALICIOUS}pyaudit: by severity: 2 malicious, 1 critical, 1 high, 1 medium, 1 low, 1 unknown\n` +
        'Found 7 known vulnerabilities in 7 packages\n',
    );
    expect(result.code).toBe(1);
  });

  it('--fail-on critical: findings below it are reported but exit 0', async () => {
    const result = await run(['-r', 'mixed.txt', '--fail-on', 'critical']);
    expect(result).toEqual({
      stdout: MIXED_TABLE,
      stderr:
        'pyaudit: by severity: 1 high, 1 medium, 1 unknown\n' +
        'pyaudit: 3 of 3 findings do not fail the audit: below --fail-on critical\n' +
        'Found 3 known vulnerabilities in 3 packages\n',
      code: 0,
    });
  });

  it('--fail-on high: an unknown severity fails as high, unless --fail-on-unknown off', async () => {
    const high = await run(['-r', 'mixed.txt', '--fail-on', 'high']);
    expect(high.stderr).toBe(
      'pyaudit: by severity: 1 high, 1 medium, 1 unknown\n' +
        'pyaudit: 1 of 3 findings does not fail the audit: below --fail-on high\n' +
        'Found 3 known vulnerabilities in 3 packages\n',
    );
    expect(high.code).toBe(1);
    const unknownOff = await run([
      '-r',
      'mixed.txt',
      '--fail-on',
      'high',
      '--fail-on-unknown',
      'off',
    ]);
    expect(unknownOff.stderr).toBe(
      'pyaudit: by severity: 1 high, 1 medium, 1 unknown\n' +
        'pyaudit: 2 of 3 findings do not fail the audit: below --fail-on high; unknown severity (--fail-on-unknown off)\n' +
        'Found 3 known vulnerabilities in 3 packages\n',
    );
    expect(unknownOff.code).toBe(1);
    const onlyUnknown = await run([
      '-r',
      'mixed.txt',
      '--fail-on',
      'critical',
      '--fail-on-unknown',
      'off',
    ]);
    expect(onlyUnknown.code).toBe(0);
  });

  it('--min-severity leaves lower findings out of the report (unknown stays) and says how many', async () => {
    const result = await run(['-r', 'mixed.txt', '--min-severity', 'high']);
    expect(result).toEqual({
      stdout:
        'Name        Version ID                  Fix Versions\n' +
        '----------- ------- ------------------- ------------\n' +
        'high-pkg    1.2.0   GHSA-h1gh-0002-bbbb 1.3.0\n' +
        'unknown-pkg 0.8     PYSEC-2099-105      0.9\n',
      stderr:
        'pyaudit: 1 finding below --min-severity high not reported\n' +
        'pyaudit: by severity: 1 high, 1 unknown\n' +
        'Found 2 known vulnerabilities in 2 packages\n',
      code: 1,
    });
    const json = await run(['-r', 'mixed.txt', '--min-severity', 'critical', '-f', 'json']);
    const ids = (
      JSON.parse(json.stdout) as { dependencies: Array<{ vulns: Array<{ id: string }> }> }
    ).dependencies.flatMap((d) => d.vulns.map((v) => v.id));
    expect(ids).toEqual(['PYSEC-2099-105']);
  });

  it('--ignore-unfixed ignores findings with no fix version, never a malicious package', async () => {
    const unfixed = await run(['-r', 'unfixed.txt', '--ignore-unfixed']);
    expect(unfixed).toEqual({
      stdout: '',
      stderr:
        'pyaudit: 1 finding with no fix version ignored (--ignore-unfixed)\n' +
        'No known vulnerabilities found, 1 ignored\n',
      code: 0,
    });
    const all = await run(['-r', 'all.txt', '--ignore-unfixed']);
    expect(all.stderr).toBe(
      `${MALICIOUS}pyaudit: 1 finding with no fix version ignored (--ignore-unfixed)\n` +
        'pyaudit: by severity: 2 malicious, 1 critical, 1 high, 1 medium, 1 unknown\n' +
        'Found 6 known vulnerabilities, ignored 1 in 6 packages\n',
    );
    expect(all.code).toBe(1);
  });

  it('--fail-on-fixable-only: only findings with a fix version fail', async () => {
    const unfixed = await run(['-r', 'unfixed.txt', '--fail-on-fixable-only']);
    expect(unfixed.stderr).toBe(
      'pyaudit: by severity: 1 low\n' +
        'pyaudit: 1 of 1 finding does not fail the audit: no fix version (--fail-on-fixable-only)\n' +
        'Found 1 known vulnerability in 1 package\n',
    );
    expect(unfixed.code).toBe(0);
    const fixable = await run(['-r', 'fixable.txt', '--fail-on-fixable-only']);
    expect(fixable.code).toBe(1);
  });

  it('a malicious package always fails, whatever --fail-on and --fail-on-fixable-only say', async () => {
    const result = await run([
      '-r',
      'evil.txt',
      '--fail-on',
      'critical',
      '--fail-on-fixable-only',
      '--ignore-unfixed',
      '--min-severity',
      'critical',
    ]);
    expect(result.stderr).toBe(
      'pyaudit: warning: evil-pkg 0.1.1 is a known malicious package (MAL-2099-1): remove it and treat machines that installed it as compromised\n' +
        'pyaudit: by severity: 1 malicious\n' +
        'Found 1 known vulnerability in 1 package\n',
    );
    expect(result.code).toBe(1);
  });

  it('bad levels are usage errors (exit 2)', async () => {
    expect(await run(['-r', 'all.txt', '--fail-on', 'severe'])).toEqual({
      stdout: '',
      stderr:
        "pyaudit: error: argument --fail-on: invalid choice: 'severe' (choose from low, medium, high, critical, malicious)\n",
      code: 2,
    });
    expect((await run(['-r', 'all.txt', '--min-severity', 'malicious'])).stderr).toBe(
      "pyaudit: error: argument --min-severity: invalid choice: 'malicious' (choose from low, medium, high, critical)\n",
    );
    expect((await run(['-r', 'all.txt', '--fail-on-unknown', 'maybe'])).code).toBe(2);
  });
});

describe('severity in the pip-audit formats', () => {
  it("json: --severity adds a severity object per finding; without it the layout is pip-audit's", async () => {
    const plain = await run(['-r', 'mixed.txt', '-f', 'json', '--desc', 'off']);
    expect(plain.stdout).not.toContain('severity');
    const result = await run(['-r', 'mixed.txt', '-f', 'json', '--desc', 'off', '--severity']);
    expect(result.stdout).toBe(
      '{"dependencies": [' +
        '{"name": "high-pkg", "version": "1.2.0", "vulns": [{"id": "GHSA-h1gh-0002-bbbb", "fix_versions": ["1.3.0"], "aliases": [], ' +
        '"severity": {"level": "high", "score": 8.5, "ratings": [' +
        '{"source": "GHSA-h1gh-0002-bbbb", "method": "CVSSv4", "level": "high", "score": 8.5, "vector": "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}, ' +
        '{"source": "GHSA-h1gh-0002-bbbb", "method": "GitHub", "level": "medium"}]}}]}, ' +
        '{"name": "med-pkg", "version": "3.0", "vulns": [{"id": "PYSEC-2099-103", "fix_versions": ["3.1", "4.0.2"], "aliases": ["CVE-2099-1003"], ' +
        '"severity": {"level": "medium", "score": 4.3, "ratings": [' +
        '{"source": "PYSEC-2099-103", "method": "CVSSv2", "level": "medium", "score": 4.3, "vector": "AV:N/AC:M/Au:N/C:N/I:P/A:N"}]}}]}, ' +
        '{"name": "unknown-pkg", "version": "0.8", "vulns": [{"id": "PYSEC-2099-105", "fix_versions": ["0.9"], "aliases": [], ' +
        '"severity": {"level": "unknown", "ratings": []}}]}' +
        '], "fixes": []}\n',
    );
  });

  it('markdown: --severity adds the last column', async () => {
    const result = await run(['-r', 'mixed.txt', '-f', 'markdown', '--severity']);
    expect(result.stdout).toBe(
      '\n' +
        'Name | Version | ID | Fix Versions | Severity\n' +
        '--- | --- | --- | --- | ---\n' +
        '[high-pkg](https://pypi.org/project/high-pkg/) | 1.2.0 | [GHSA-h1gh-0002-bbbb](https://osv.dev/vulnerability/GHSA-h1gh-0002-bbbb) | 1.3.0 | high (8.5)\n' +
        '[med-pkg](https://pypi.org/project/med-pkg/) | 3.0 | [PYSEC-2099-103](https://osv.dev/vulnerability/PYSEC-2099-103) | 3.1,4.0.2 | medium (4.3)\n' +
        '[unknown-pkg](https://pypi.org/project/unknown-pkg/) | 0.8 | [PYSEC-2099-105](https://osv.dev/vulnerability/PYSEC-2099-105) | 0.9 | unknown\n',
    );
  });
});
