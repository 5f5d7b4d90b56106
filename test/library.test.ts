/** The package's main entry exposes the documented API and it behaves as the README shows. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as pyaudit from '../src/index.js';
import { FIXTURES_DIR } from './helpers/fixtures.js';

describe('library entry', () => {
  it('answers the README examples', () => {
    expect(pyaudit.compareVersions('1.0.post1', '1.0')).toBe(1);
    expect(pyaudit.specifierContains('>=1.0a1,<2', '1.5b1')).toBe(true);
    expect(pyaudit.evaluateMarker('python_version < "3.8"', { python_version: '3.11' })).toBe(
      false,
    );
    expect(pyaudit.canonicalizeName('Zope.Interface')).toBe('zope-interface');
    expect(pyaudit.parseRequirement('requests[socks]>=2; python_version>"3"').extras).toEqual([
      'socks',
    ]);
    expect(() => pyaudit.specifierContains('=>1', '1.0')).toThrow(pyaudit.InvalidSpecifierError);
  });

  it('exports the pipeline pieces', () => {
    for (const name of [
      'audit',
      'collectRequirements',
      'createOsvService',
      'createHttpClient',
      'REPORT_FORMATS',
      'summaryLine',
      'cvssScore',
      'recordRatings',
      'applyReportPolicy',
      'decideFailure',
    ]) {
      expect(typeof (pyaudit as Record<string, unknown>)[name]).not.toBe('undefined');
    }
    expect([...pyaudit.REPORT_FORMATS.keys()]).toEqual([
      'columns',
      'json',
      'markdown',
      'cyclonedx-json',
      'cyclonedx-xml',
      'sarif',
      'html',
    ]);
    expect(pyaudit.cvssScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toEqual({
      version: '3.1',
      score: 9.8,
    });
  });

  it('exports the --fix rewriters, pure text in and out', () => {
    expect(
      pyaudit.rewriteRequirements('jinja2==2.10  # pinned\n', [
        { line: 1, name: 'jinja2', version: '2.11.3' },
      ]),
    ).toBe('jinja2==2.11.3  # pinned\n');
    expect(
      pyaudit.rewriteManifest('[project]\ndependencies = ["jinja2==2.10"]  # web\n', 'pyproject', [
        { name: 'jinja2', version: '2.10', newVersion: '2.11.3' },
      ]).text,
    ).toBe('[project]\ndependencies = ["jinja2==2.11.3"]  # web\n');
  });

  it('resolves requirements against an index through the public API', async () => {
    const http = pyaudit.createHttpClient();
    try {
      const index = pyaudit.createPackageIndex({
        http,
        indexUrls: [pathToFileURL(path.join(FIXTURES_DIR, 'index/basic/simple')).href],
        netrc: null,
      });
      const target = pyaudit.buildTarget({ pythonVersion: '3.12', host: {}, probe: null });
      const provider = pyaudit.createIndexProvider(index, target);
      const app = pyaudit.parseRequirement('app>=1');
      const { packages } = await pyaudit.resolve(
        [
          {
            name: 'app',
            extras: [],
            specifiers: app.specifierSet.specifiers,
            text: 'app>=1',
            from: 'example',
            parent: null,
          },
        ],
        provider,
      );
      expect(packages.map((p) => `${p.name} ${p.version}`)).toEqual([
        'app 2.0',
        'lib 2.1',
        'util 1.2',
      ]);
    } finally {
      await http.close();
    }
  });
});
