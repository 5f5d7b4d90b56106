/**
 * The fix plan against a real loopback PEP 691 index (test/fixtures/fix/index) and the PyPA
 * records for jinja2 and werkzeug, through the offline source's matching.
 */
import { ignoreVulnRules } from '../audit/ignore.js';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIndexServer, type IndexTestServer } from '../../test/index-server.js';
import type { ResolvedDependency } from '../core/dependency.js';
import { createHttpClient } from '../http/client.js';
import { createPackageIndex } from '../index/client.js';
import type { OsvRecord } from '../standards/osv.js';
import { createLocalService } from '../vulns/local/service.js';
import { memoryStore } from '../vulns/store.js';
import { planFixes } from './plan.js';

const FIX = path.resolve(import.meta.dirname, '../../test/fixtures/fix');
const records = readdirSync(path.join(FIX, 'osv')).map(
  (f) => JSON.parse(readFileSync(path.join(FIX, 'osv', f), 'utf8')) as OsvRecord,
);
const pages = JSON.parse(readFileSync(path.join(FIX, 'index', 'index.json'), 'utf8')) as {
  projects: Record<string, Array<{ filename: string; sha256: string }>>;
};
const sha = (filename: string): string =>
  `sha256:${
    Object.values(pages.projects)
      .flat()
      .find((f) => f.filename === filename)!.sha256
  }`;

const http = createHttpClient({ timeoutSeconds: 10 });
let server: IndexTestServer;
beforeAll(async () => {
  server = await startIndexServer(
    { kind: 'scenario', dir: path.join(FIX, 'index') },
    { format: 'json' },
  );
});
afterAll(async () => {
  await server.close();
  await http.close();
});

const pin = (name: string, version: string): ResolvedDependency => ({
  kind: 'resolved',
  name,
  displayName: name,
  version,
  origin: { file: 'requirements.txt' },
});

describe('planFixes', () => {
  it('chooses from the index, checks candidates with the records, and names a blocking parent', async () => {
    const index = createPackageIndex({ http, indexUrls: [`${server.url}/simple`], netrc: null });
    const pinned = [pin('flask', '1.0'), pin('jinja2', '2.10'), pin('werkzeug', '2.0.3')];
    const plan = await planFixes([pinned[1]!, pinned[2]!], {
      index,
      services: [createLocalService(memoryStore(records))],
      pinned,
      pythonVersion: '3.11',
    });
    expect(plan).toEqual([
      {
        kind: 'upgrade',
        dependency: pinned[1],
        version: '2.11.3',
        files: {
          version: '2.11.3',
          sha256: [
            sha('Jinja2-2.11.3-py2.py3-none-any.whl'),
            sha('Jinja2-2.11.3-py3-none-manylinux1_x86_64.whl'),
          ].sort(),
        },
      },
      {
        kind: 'skip',
        dependency: pinned[2],
        reason: 'flask 1.0 requires werkzeug>=0.14,<2.1; upgrade flask too',
      },
    ]);
  });

  it('skips the yanked release, honours --ignore-vuln, and respects Requires-Python', async () => {
    const index = createPackageIndex({ http, indexUrls: [`${server.url}/simple`], netrc: null });
    const werkzeug = pin('werkzeug', '3.0.0');
    const services = [createLocalService(memoryStore(records))];
    const [fixed] = await planFixes([werkzeug], { index, services, pinned: [werkzeug] });
    expect(fixed).toMatchObject({ kind: 'upgrade', version: '3.0.1' });
    const old = pin('werkzeug', '2.0.3');
    // Ignoring what 2.1.1 still has makes 2.1.1 the fix.
    const [ignored] = await planFixes([old], {
      index,
      services,
      pinned: [old],
      ignore: ignoreVulnRules(['PYSEC-2023-57', 'PYSEC-2023-58', 'PYSEC-2023-221']),
    });
    expect(ignored).toMatchObject({ kind: 'upgrade', version: '2.1.1' });
    const [python37] = await planFixes([pin('werkzeug', '2.2.3')], {
      index,
      services,
      pinned: [],
      pythonVersion: '3.7',
    });
    expect(python37).toMatchObject({
      kind: 'skip',
      reason: 'werkzeug 2.3.8 requires Python >=3.8 (the target is 3.7)',
    });
  });

  it('says when a package is not on the index at all', async () => {
    const index = createPackageIndex({ http, indexUrls: [`${server.url}/simple`], netrc: null });
    const privateLib = pin('private-lib', '1.0');
    expect(
      await planFixes([privateLib], {
        index,
        services: [createLocalService(memoryStore(records))],
        pinned: [privateLib],
      }),
    ).toEqual([
      {
        kind: 'skip',
        dependency: privateLib,
        reason: `private-lib is not on the package index (${server.url}/simple)`,
      },
    ]);
  });
});
