/**
 * pip-audit's own CycloneDX reports (../shared/pip-audit-conformance/cyclonedx: components
 * with a name and a version, no purl) audited as SBOMs against the same advisory database:
 * pyaudit must find exactly the vulnerabilities pip-audit listed in them.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadAdvisories } from '../../../test/helpers/advisories.js';
import { runCli } from '../../../test/helpers/run-cli.js';
import { describeShared, sharedPath } from '../../../test/helpers/shared.js';
import { tempDirs } from '../../../test/helpers/temp-dirs.js';
import { startOsvServer, type OsvTestServer } from '../../../test/osv-server.js';

const RUNS = sharedPath('pip-audit-conformance', 'cyclonedx', 'small');

/** `name version id` for every vulnerability pip-audit wrote, through the bom-refs. */
function pipAuditFindings(run: string): string[] {
  const text = readFileSync(path.join(RUNS, run, 'stdout'), 'utf8');
  const components = new Map<string, string>();
  const findings: string[] = [];
  if (run === 'cyclonedx-json') {
    const bom = JSON.parse(text) as {
      components: Array<{ 'bom-ref': string; name: string; version: string }>;
      vulnerabilities: Array<{ id: string; affects: Array<{ ref: string }> }>;
    };
    for (const c of bom.components) components.set(c['bom-ref'], `${c.name} ${c.version}`);
    for (const v of bom.vulnerabilities)
      for (const a of v.affects) findings.push(`${components.get(a.ref)} ${v.id}`);
  } else {
    for (const m of text.matchAll(
      /<component [^>]*bom-ref="([^"]+)"><name>([^<]+)<\/name><version>([^<]+)<\/version>/g,
    ))
      components.set(m[1] as string, `${m[2]} ${m[3]}`);
    for (const m of text.matchAll(
      /<vulnerability [^>]*><id>([^<]+)<\/id>[\s\S]*?<affects>([\s\S]*?)<\/affects>/g,
    ))
      for (const ref of (m[2] as string).matchAll(/<ref>([^<]+)<\/ref>/g))
        findings.push(`${components.get(ref[1] as string)} ${m[1]}`);
  }
  return findings.sort();
}

let server: OsvTestServer;

describeShared("auditing pip-audit's CycloneDX output", () => {
  beforeAll(async () => {
    server = await startOsvServer(loadAdvisories(sharedPath('advisory-database', 'vulns')));
  });
  afterAll(() => server?.close());
  const tempDir = tempDirs();

  it.each([
    ['cyclonedx-json', 'bom.cdx.json'],
    ['cyclonedx-xml', 'bom.cdx.xml'],
  ])('%s: the same 67 findings in 7 packages, with a warning', async (run, name) => {
    const dir = tempDir('pyaudit-sbom-');
    copyFileSync(path.join(RUNS, run, 'stdout'), path.join(dir, name));
    const result = await runCli(
      [name, '--osv-url', `${server.url}/v1/query`, '-f', 'json', '--strict'],
      { cwd: dir },
    );
    const report = JSON.parse(result.stdout) as {
      dependencies: Array<{ name: string; version: string; vulns: Array<{ id: string }> }>;
    };
    const findings = report.dependencies
      .flatMap((d) => d.vulns.map((v) => `${d.name} ${d.version} ${v.id}`))
      .sort();
    expect(findings).toHaveLength(67);
    expect(findings).toEqual(pipAuditFindings(run));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `pyaudit: auditing ${name} (${run})\n` +
        `pyaudit: warning: ${name}: 7 components have no purl and were read as PyPI packages by name and version\n` +
        readFileSync(path.join(RUNS, run, 'stderr'), 'utf8')
          .split('\n')
          .slice(-2)
          .join('\n'),
    );
  });
});
