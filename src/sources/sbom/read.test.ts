/**
 * Reading SBOMs: self-written CycloneDX 1.5 JSON / XML (valid against the 1.6 schemas with
 * the namespace changed) and SPDX 2.3 JSON with components of every kind, pip-audit's own
 * CycloneDX output, malformed documents, and property tests for purls and for the two
 * CycloneDX encodings agreeing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Dependency } from '../../core/dependency.js';
import { FIXTURES_DIR } from '../../../test/helpers/fixtures.js';
import { describeShared, sharedPath } from '../../../test/helpers/shared.js';
import { parsePurl, parsePypiPurl } from './purl.js';
import { readSbom, type SbomFormat } from './read.js';

const SBOMS = path.join(FIXTURES_DIR, 'sbom');

/** name, version or skip reason, line. */
const rows = (deps: readonly Dependency[]) =>
  deps.map((d) => [
    d.displayName,
    d.kind === 'resolved' ? d.version : `(${d.skipReason})`,
    d.origin.line,
  ]);

function read(file: string, format: SbomFormat) {
  return readSbom(readFileSync(path.join(SBOMS, file), 'utf8'), file, format);
}

describe('SBOM components', () => {
  it('CycloneDX JSON: purl-less components by name and version, other ecosystems named', () => {
    const result = read('mixed.cdx.json', 'cyclonedx-json');
    expect(rows(result.dependencies)).toEqual([
      ['Django', '3.2.0', 9],
      ['requests', '2.19.0', 14],
      ['urllib3', '1.24.1', 15],
      ['PyYAML', '5.3', 17],
      ['localtool', '(the component has neither a purl nor a version)', 21],
      [
        'legacy',
        '(version 2004d is not a valid PEP 440 version and cannot be matched against advisories)',
        22,
      ],
    ]);
    expect(result.warnings).toEqual([
      'mixed.cdx.json: 4 components have no purl and were read as PyPI packages by name and version',
      'mixed.cdx.json: 3 components are not Python packages and were not audited: left-pad (npm), @babel/core (npm), debian (operating-system)',
    ]);
  });

  it('CycloneDX XML reads the same document the same way, with the lines of its elements', () => {
    const result = read('mixed.cdx.xml', 'cyclonedx-xml');
    expect(rows(result.dependencies)).toEqual([
      ['Django', '3.2.0', 11],
      ['requests', '2.19.0', 17],
      ['urllib3', '1.24.1', 20],
      ['PyYAML', '5.3', 28],
      ['localtool', '(the component has neither a purl nor a version)', 46],
      [
        'legacy',
        '(version 2004d is not a valid PEP 440 version and cannot be matched against advisories)',
        49,
      ],
    ]);
    expect(result.warnings).toEqual(
      read('mixed.cdx.json', 'cyclonedx-json').warnings.map((w) =>
        w.replace('mixed.cdx.json', 'mixed.cdx.xml'),
      ),
    );
  });

  it('SPDX JSON: the described package is the project itself; NOASSERTION is no version', () => {
    const result = read('mixed.spdx.json', 'spdx-json');
    expect(rows(result.dependencies)).toEqual([
      ['Django', '3.2.0', 18],
      ['requests', '2.19.0', 31],
      ['localtool', '(the component has neither a purl nor a version)', 57],
    ]);
    expect(result.warnings).toEqual([
      'mixed.spdx.json: 2 components have no purl and were read as PyPI packages by name and version',
      'mixed.spdx.json: 2 components are not Python packages and were not audited: left-pad (npm), tzdata (file)',
    ]);
  });

  it('one of each: singular warnings; a long list of others is cut after ten names', () => {
    const doc = (components: object[]) =>
      JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.4', components });
    expect(
      readSbom(
        doc([
          { type: 'library', name: 'flask', version: '0.12' },
          { type: 'library', name: 'left-pad', purl: 'pkg:npm/left-pad@1.3.0' },
        ]),
        'b.json',
        'cyclonedx-json',
      ).warnings,
    ).toEqual([
      'b.json: 1 component has no purl and was read as a PyPI package by name and version',
      'b.json: 1 component is not a Python package and was not audited: left-pad (npm)',
    ]);
    const many = Array.from({ length: 12 }, (_, i) => ({
      type: 'library',
      name: `gem${i}`,
      purl: `pkg:gem/gem${i}@1.0`,
    }));
    expect(readSbom(doc(many), 'b.json', 'cyclonedx-json').warnings).toEqual([
      'b.json: 12 components are not Python packages and were not audited: gem0 (gem), gem1 (gem), gem2 (gem), gem3 (gem), gem4 (gem), gem5 (gem), gem6 (gem), gem7 (gem), gem8 (gem), gem9 (gem) and 2 more',
    ]);
  });

  it('malformed documents are one error naming the file and, where known, the line', () => {
    const error = (text: string, format: SbomFormat) => {
      try {
        readSbom(text, 'bad', format);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(
      error(
        '{"bomFormat": "CycloneDX",\n "components": [\n  {"type": "library", "name": "flask", "version": 12}]}',
        'cyclonedx-json',
      ),
    ).toBe('bad:3: component "flask": "version" is 12, not a string');
    expect(
      error('{"bomFormat": "CycloneDX", "components": [{"type": "library"}]}', 'cyclonedx-json'),
    ).toBe('bad: a component has neither a name nor a purl');
    expect(error('{"bomFormat": "CycloneDX", "components": {}}', 'cyclonedx-json')).toBe(
      'bad:1: "components" is not a list',
    );
    expect(error('{"bomFormat": "CycloneDX", "components": ["flask"]}', 'cyclonedx-json')).toBe(
      'bad: a component is "flask", not an object',
    );
    expect(error('{"components": []}', 'cyclonedx-json')).toBe(
      'bad: not a CycloneDX JSON document: "bomFormat" is not "CycloneDX"',
    );
    expect(error('<bom>\n<components>\n<component>\n</components>\n</bom>', 'cyclonedx-xml')).toBe(
      'bad:4: malformed XML: </components> closes <component> (line 3)',
    );
    expect(error('<bom>\n<components>\n', 'cyclonedx-xml')).toBe(
      'bad:2: malformed XML: <components> is never closed (the file may be truncated)',
    );
    const deep = `<bom>\n${'<a>'.repeat(2000)}${'</a>'.repeat(2000)}\n</bom>`;
    expect(error(deep, 'cyclonedx-xml')).toBe('bad:2: XML elements nested more than 1000 deep');
    expect(error('<?xml version="1.0"?>\n<sbom/>', 'cyclonedx-xml')).toBe(
      'bad: not a CycloneDX document: no <bom> element',
    );
    expect(error('{"spdxVersion": "SPDX-2.3"}', 'spdx-json')).toBe(
      'bad: not an SPDX JSON document: no "packages"',
    );
  });
});

describeShared("pip-audit's own CycloneDX output", () => {
  it('reads its seven purl-less components by name and version, JSON and XML alike', () => {
    for (const [run, format] of [
      ['cyclonedx-json', 'cyclonedx-json'],
      ['cyclonedx-xml', 'cyclonedx-xml'],
    ] as const) {
      const text = readFileSync(
        sharedPath('pip-audit-conformance', 'cyclonedx', 'small', run, 'stdout'),
        'utf8',
      );
      const result = readSbom(text, 'bom', format);
      expect(result.dependencies.map((d) => [d.name, d.kind === 'resolved' && d.version])).toEqual([
        ['django', '3.2.0'],
        ['flask', '0.12'],
        ['jinja2', '2.10'],
        ['pillow', '8.0.0'],
        ['pyyaml', '5.3'],
        ['requests', '2.19.0'],
        ['urllib3', '1.24.1'],
      ]);
      expect(result.warnings).toEqual([
        'bom: 7 components have no purl and were read as PyPI packages by name and version',
      ]);
    }
  });
});

const segment = fc.string({ minLength: 1, maxLength: 12 });
const encode = (s: string) => encodeURIComponent(s);

describe('purl properties', () => {
  it('type, namespace, name and version come back as they were encoded', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9.+-]{0,8}$/),
        fc.array(segment, { maxLength: 2 }),
        segment,
        fc.option(segment, { nil: undefined }),
        fc.option(fc.stringMatching(/^[a-z]{1,5}=[a-z0-9]{1,5}$/), { nil: undefined }),
        (type, namespace, name, version, qualifier) => {
          const purl = `pkg:${type}/${[...namespace, name].map(encode).join('/')}${
            version !== undefined ? `@${encode(version)}` : ''
          }${qualifier !== undefined ? `?${qualifier}` : ''}`;
          expect(parsePurl(purl)).toEqual({
            type,
            ...(namespace.length > 0 && { namespace: namespace.join('/') }),
            name,
            ...(version !== undefined && { version }),
          });
          expect(parsePypiPurl(purl) !== null).toBe(type === 'pypi' && namespace.length === 0);
        },
      ),
    );
  });

  it('never throws on any text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        parsePurl(text);
        parsePurl(`pkg:${text}`);
      }),
    );
  });
});

/** Components as CycloneDX writes them, in JSON and in XML. */
const component = fc.record(
  {
    type: fc.constantFrom('library', 'framework', 'application', 'file', 'operating-system'),
    name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9._-]{0,10}$/),
    version: fc.stringMatching(/^[0-9]{1,2}(\.[0-9]{1,2}){0,2}([ab][0-9])?$/),
    purlType: fc.constantFrom('pypi', 'npm', 'golang'),
  },
  { requiredKeys: ['type', 'name'] },
);
type Component = typeof component extends fc.Arbitrary<infer T> ? T : never;

const purlOf = (c: Component) =>
  c.purlType === undefined
    ? undefined
    : `pkg:${c.purlType}/${encode(c.name)}${c.version !== undefined ? `@${encode(c.version)}` : ''}`;

const asJson = (components: Component[]) =>
  JSON.stringify(
    {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      components: components.map((c) => ({
        type: c.type,
        name: c.name,
        ...(c.version !== undefined && { version: c.version }),
        ...(purlOf(c) !== undefined && { purl: purlOf(c) }),
      })),
    },
    null,
    2,
  );

const asXml = (components: Component[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">\n  <components>\n${components
    .map(
      (c) =>
        `    <component type="${c.type}">\n      <name>${c.name}</name>\n${
          c.version !== undefined ? `      <version>${c.version}</version>\n` : ''
        }${purlOf(c) !== undefined ? `      <purl>${(purlOf(c) as string).replace(/&/g, '&amp;')}</purl>\n` : ''}    </component>\n`,
    )
    .join('')}  </components>\n</bom>\n`;

describe('CycloneDX properties', () => {
  it('JSON and XML encodings of one document read the same; nothing is dropped without a word', () => {
    fc.assert(
      fc.property(fc.array(component, { maxLength: 8 }), (components) => {
        const json = readSbom(asJson(components), 'f', 'cyclonedx-json');
        const xml = readSbom(asXml(components), 'f', 'cyclonedx-xml');
        const strip = (deps: Dependency[]) =>
          deps.map(({ origin, ...rest }) => ({ ...rest, file: origin.file }));
        expect(strip(xml.dependencies)).toEqual(strip(json.dependencies));
        expect(xml.warnings).toEqual(json.warnings);
        // Every component is a dependency, a duplicate of one, or counted in a warning.
        const others = Number(
          /(\d+) components? (?:is not a Python|are not Python)/.exec(
            json.warnings.join('\n'),
          )?.[1] ?? 0,
        );
        const keys = new Set(
          components
            .filter((c) =>
              c.purlType === undefined
                ? ['library', 'framework', 'application'].includes(c.type)
                : c.purlType === 'pypi',
            )
            .map((c) => `${c.name.toLowerCase().replace(/[-_.]+/g, '-')}@${c.version ?? ''}`),
        );
        expect(json.dependencies.length).toBe(keys.size);
        expect(others).toBe(
          components.filter((c) =>
            c.purlType === undefined
              ? !['library', 'framework', 'application'].includes(c.type)
              : c.purlType !== 'pypi',
          ).length,
        );
      }),
    );
  });
});
