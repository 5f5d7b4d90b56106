/**
 * Vulnerability sources against the real PyPA advisory database: the offline database, the
 * OSV API (the test server and `db serve`'s handler), the PyPI JSON API and several sources
 * at once give the same findings for the same data, and a failing source never yields a
 * quiet, incomplete "clean".
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../src/vulns/local/database.js';
import { createLocalService } from '../src/vulns/local/service.js';
import { startAdvisoryServer, type AdvisoryServer } from './advisory-servers.js';
import { loadAdvisories } from './helpers/advisories.js';
import { FIXTURES_DIR } from './helpers/fixtures.js';
import { runCli } from './helpers/run-cli.js';
import { describeShared, sharedPath } from './helpers/shared.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

let osv: OsvTestServer;
let pypi: AdvisoryServer;
let dbDir: string;
const pins = path.join(FIXTURES_DIR, 'audit', 'advisory-pins.txt');

interface SeverityReport {
  dependencies: Array<{
    name: string;
    vulns?: Array<{ id: string; severity: { level: string; score?: number } }>;
  }>;
}

interface JsonReport {
  dependencies: Array<{
    name: string;
    version?: string;
    skip_reason?: string;
    vulns?: Array<{ id: string; aliases: string[]; sources?: string[] }>;
  }>;
  incomplete?: Array<{ service: string; reason: string }>;
}

describeShared('vulnerability sources agree', () => {
  beforeAll(async () => {
    const records = loadAdvisories(sharedPath('advisory-database', 'vulns'));
    osv = await startOsvServer(records);
    pypi = await startAdvisoryServer(records, { knownVersion: () => true });
    dbDir = await mkdtemp(path.join(tmpdir(), 'pyaudit-offline-'));
    const imported = await runCli(
      ['db', 'import', sharedPath('advisory-database'), '--db-dir', dbDir],
      { cwd: FIXTURES_DIR },
    );
    expect(imported.code).toBe(0);
  });
  afterAll(async () => {
    await osv?.close();
    await pypi?.close();
    if (dbDir) await rm(dbDir, { recursive: true, force: true });
  });

  it('db import reads all 2,661 records of the PyPA database', async () => {
    const status = await runCli(['db', 'status', '--db-dir', dbDir], { cwd: FIXTURES_DIR });
    expect(status.stdout).toContain('Records:   2,661\nPackages:  664\n');
  });

  it('offline, the OSV API and --offline -f columns/markdown/json give byte-identical reports', async () => {
    for (const format of ['json', 'columns', 'markdown']) {
      const online = await runCli(
        ['-r', pins, '--osv-url', osv.url, '-f', format, '--desc', '--aliases'],
        { cwd: FIXTURES_DIR },
      );
      const offline = await runCli(
        ['-r', pins, '--offline', '--db-dir', dbDir, '-f', format, '--desc', '--aliases'],
        { cwd: FIXTURES_DIR },
      );
      const local = await runCli(
        ['-r', pins, '-s', 'local', '--db-dir', dbDir, '-f', format, '--desc', '--aliases'],
        { cwd: FIXTURES_DIR },
      );
      expect(online.code).toBe(1);
      expect(offline).toEqual(online);
      expect(local).toEqual(online);
    }
  });

  it('offline matches pip-audit 2.10.1 on the recorded report runs', async () => {
    const dir = sharedPath('pip-audit-conformance', 'output', 'small');
    const expected = await readFile(path.join(dir, 'json--desc-off', 'stdout'), 'utf8');
    const result = await runCli(
      [
        '-r',
        'requirements.txt',
        '--offline',
        '--db-dir',
        dir === '' ? '' : dbDir,
        '-f',
        'json',
        '--desc',
        'off',
      ],
      { cwd: dir },
    );
    const sortAliases = (text: string) =>
      (JSON.parse(text) as JsonReport).dependencies.map((d) => ({
        ...d,
        vulns: d.vulns?.map((v) => ({ ...v, aliases: [...v.aliases].sort() })),
      }));
    expect(sortAliases(result.stdout)).toEqual(sortAliases(expected));
    expect(result.stderr).toBe('Found 67 known vulnerabilities in 7 packages\n');
  });

  it('every version a record enumerates as affected is reported for that record', async () => {
    const { store, header } = openDatabase(dbDir);
    // (project, version) → the records that enumerate it.
    const expected = new Map<string, { name: string; version: string; ids: string[] }>();
    let listed = 0;
    for (const id of loadAdvisories(sharedPath('advisory-database', 'vulns')).map((r) => r.id)) {
      const record = store.record(id)!;
      if (record.withdrawn) continue;
      for (const a of record.affected ?? []) {
        for (const version of a.versions ?? []) {
          listed++;
          const key = `${a.package!.name}@${version}`;
          const entry = expected.get(key) ?? { name: a.package!.name, version, ids: [] };
          entry.ids.push(id);
          expected.set(key, entry);
        }
      }
    }
    expect(header.records).toBe(2661);
    expect(listed).toBe(139_481); // 140,847 enumerated versions, less those of withdrawn records
    const pairs = [...expected.values()];
    const answers = await createLocalService(store).query(
      pairs.map((d) => ({
        kind: 'resolved',
        name: d.name,
        displayName: d.name,
        version: d.version,
        origin: { file: 'x' },
      })),
    );
    const missing = pairs.flatMap((d, i) =>
      d.ids
        .filter((id) => !answers[i]!.some((v) => v.id === id))
        .map((id) => `${d.name} ${d.version} ${id}`),
    );
    expect(missing).toEqual([]);
  });

  it('the PyPI JSON source finds what OSV finds for the same data', async () => {
    const viaOsv = JSON.parse(
      (await runCli(['-r', pins, '--osv-url', osv.url, '-f', 'json'], { cwd: FIXTURES_DIR }))
        .stdout,
    ) as JsonReport;
    const viaPypi = JSON.parse(
      (
        await runCli(['-r', pins, '-s', 'pypi', '--pypi-url', pypi.url, '-f', 'json'], {
          cwd: FIXTURES_DIR,
        })
      ).stdout,
    ) as JsonReport;
    expect(viaPypi).toEqual(viaOsv);
  });

  it('the ecosyste.ms source finds what OSV finds, rated the same from its CVSS vectors', async () => {
    const view = (report: SeverityReport) =>
      report.dependencies.map((d) => ({
        name: d.name,
        // Not the fix versions: ecosyste.ms gives the first patched version of the range that
        // matches, OSV every `fixed` event of the record.
        vulns: (d.vulns ?? []).map((v) => ({
          id: v.id,
          level: v.severity.level,
          score: v.severity.score,
        })),
      }));
    const viaOsv = JSON.parse(
      (
        await runCli(['-r', pins, '--osv-url', osv.url, '--severity', '-f', 'json'], {
          cwd: FIXTURES_DIR,
        })
      ).stdout,
    ) as SeverityReport;
    const viaEsms = JSON.parse(
      (
        await runCli(
          ['-r', pins, '-s', 'esms', '--esms-url', pypi.url, '--severity', '-f', 'json'],
          {
            cwd: FIXTURES_DIR,
          },
        )
      ).stdout,
    ) as SeverityReport;
    expect(view(viaEsms)).toEqual(view(viaOsv));
    // The fixture has rated findings, so the comparison means something.
    const levels = new Set(view(viaEsms).flatMap((d) => d.vulns.map((v) => v.level)));
    expect([...levels].sort()).toEqual(['critical', 'high', 'low', 'medium', 'unknown']);
  });

  it('several sources merge into one finding per flaw, each naming its sources', async () => {
    const result = await runCli(
      [
        '-r',
        pins,
        '-s',
        'osv,pypi',
        '-s',
        'local',
        '--osv-url',
        osv.url,
        '--pypi-url',
        pypi.url,
        '--db-dir',
        dbDir,
        '-f',
        'json',
      ],
      {
        cwd: FIXTURES_DIR,
      },
    );
    const report = JSON.parse(result.stdout) as JsonReport;
    const single = JSON.parse(
      (await runCli(['-r', pins, '--osv-url', osv.url, '-f', 'json'], { cwd: FIXTURES_DIR }))
        .stdout,
    ) as JsonReport;
    expect(report.dependencies.map((d) => d.vulns?.map((v) => v.id))).toEqual(
      single.dependencies.map((d) => d.vulns?.map((v) => v.id)),
    );
    const sources = new Set(
      report.dependencies.flatMap((d) => d.vulns ?? []).map((v) => v.sources?.join('+')),
    );
    expect([...sources]).toEqual(['local+osv+pypi']);
    expect(result.code).toBe(1);
  });

  it('a failing source makes the audit fail, or with --allow-partial says it is incomplete', async () => {
    pypi.options.failWith = 500;
    try {
      const failed = await runCli(
        ['-r', pins, '-s', 'osv', '-s', 'pypi', '--osv-url', osv.url, '--pypi-url', pypi.url],
        { cwd: FIXTURES_DIR },
      );
      expect(failed.code).toBe(2);
      expect(failed.stdout).toBe('');
      expect(failed.stderr).toMatch(
        /^pyaudit: error: http:\/\/127\.0\.0\.1:\d+\/pypi\/[^ ]+\/json: HTTP 500 from the PyPI JSON API\n$/,
      );

      const partial = await runCli(
        [
          '-r',
          pins,
          '-s',
          'osv',
          '-s',
          'pypi',
          '--osv-url',
          osv.url,
          '--pypi-url',
          pypi.url,
          '--allow-partial',
          '-f',
          'json',
        ],
        {
          cwd: FIXTURES_DIR,
        },
      );
      expect(partial.code).toBe(1);
      const report = JSON.parse(partial.stdout) as JsonReport;
      expect(report.incomplete).toEqual([
        {
          service: 'pypi',
          reason: expect.stringMatching(/HTTP 500 from the PyPI JSON API$/) as unknown as string,
        },
      ]);
      const lines = partial.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^pyaudit: warning: the audit is incomplete: the pypi source failed \(.*HTTP 500 from the PyPI JSON API\); findings are from the other sources only \(--allow-partial\)$/,
      );
      expect(lines.at(-1)).toMatch(
        /^Found \d+ known vulnerabilities in \d+ packages \(incomplete: pypi failed\)$/,
      );

      const none = await runCli(
        ['-r', pins, '-s', 'pypi', '--pypi-url', pypi.url, '--allow-partial'],
        { cwd: FIXTURES_DIR },
      );
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/^pyaudit: error: every vulnerability source failed: pypi: /);
    } finally {
      delete pypi.options.failWith;
    }
  });
});
