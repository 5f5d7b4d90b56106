/**
 * Nothing lost, nothing doubled: for pinned files audited against the PyPA advisory database,
 * every record that affects a pinned version (computed independently, in Python with
 * `packaging`, by test/fixtures/generate_audit_expectations.py) is reported — as a finding's
 * id or one of its aliases — no finding names a record that does not apply, and no two
 * findings of one package share an id or alias.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FIXTURES_DIR } from './helpers/fixtures.js';
import { loadAdvisories } from './helpers/advisories.js';
import { runCli } from './helpers/run-cli.js';
import { describeShared, sharedPath } from './helpers/shared.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

type Expected = Record<string, Record<string, Record<string, string[]>>>;
interface JsonReport {
  dependencies: Array<{
    name: string;
    version?: string;
    skip_reason?: string;
    vulns?: Array<{ id: string; aliases: string[] }>;
  }>;
}

let server: OsvTestServer;
const expected = JSON.parse(
  readFileSync(path.join(FIXTURES_DIR, 'audit', 'expected-ids.json'), 'utf8'),
) as Expected;

describeShared('completeness against the PyPA advisory database', () => {
  beforeAll(async () => {
    server = await startOsvServer(loadAdvisories(sharedPath('advisory-database', 'vulns')), {
      pageSize: 7,
    });
  });
  afterAll(() => server?.close());

  it.each([
    ['advisory-pins.txt', path.join(FIXTURES_DIR, 'audit', 'advisory-pins.txt')],
    ['pinned_requirements.txt', sharedPath('bench-data', 'pinned_requirements.txt')],
    ['pinned_large_requirements.txt', sharedPath('bench-data', 'pinned_large_requirements.txt')],
  ])('%s', async (label, file) => {
    const result = await runCli(['--osv-url', server.url, '-r', file, '-f', 'json'], {
      cwd: FIXTURES_DIR,
    });
    const report = JSON.parse(result.stdout) as JsonReport;
    const want = expected[label]!;
    let total = 0;
    for (const dep of report.dependencies) {
      expect(dep.skip_reason, `${dep.name} should be audited`).toBeUndefined();
      const ids = want[dep.name]?.[dep.version!];
      expect(ids, `${dep.name} ${dep.version} is in the expectations`).toBeDefined();
      const seen = new Set<string>();
      for (const v of dep.vulns!) {
        expect(ids).toContain(v.id);
        for (const id of [v.id, ...v.aliases]) {
          expect(seen.has(id), `${dep.name}: ${id} reported twice`).toBe(false);
          seen.add(id);
        }
      }
      for (const id of ids!)
        expect(seen.has(id), `${dep.name} ${dep.version}: ${id} missing`).toBe(true);
      total += ids!.length;
    }
    expect(report.dependencies.length).toBe(Object.keys(want).length);
    expect(result.code).toBe(total > 0 ? 1 : 0);
  });
});
