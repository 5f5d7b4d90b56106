import fc from 'fast-check';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { parsePipfile } from '../sources/manifest/pipfile.js';
import { parsePyproject } from '../sources/manifest/pyproject.js';
import { manifestDeclarations, rewriteManifest } from './manifest.js';

const PYPROJECT = `# The application's metadata.
[project]
name = "app"   # not a dependency: "app==1.0" stays
version = "1.0"
dependencies = [
    # web
    "Jinja2[i18n] == 2.10 ; python_version >= '3.6'",  # templates
    'werkzeug>=2,==2.0.3',
    """requests>=2.19""",
]

[project.optional-dependencies]
socks = ["PySocks==1.7.1"]   # optional

[dependency-groups]
test = ["pytest==7.1.0", { include-group = "lint" }]
lint = ["ruff"]

[tool.uv]
dev-dependencies = ["werkzeug==2.0.3"]

[tool.pdm.dev-dependencies]
docs = ["jinja2==2.10"]

[tool.poetry.dependencies]
python = "^3.9"
jinja2 = "2.10"          # exact in Poetry
flask = { version = "==0.12", extras = ["dotenv"] }
werkzeug = [
  { version = "2.0.3", python = "<3.8" },
  { version = "^2.3", python = ">=3.8" },
]

[tool.poetry.group.dev.dependencies]
pytest = "7.1.0"
`;

describe('rewriteManifest: pyproject.toml', () => {
  it('changes each pin in place and keeps every comment, key and the key order', () => {
    const { text, missed } = rewriteManifest(PYPROJECT, 'pyproject', [
      { name: 'jinja2', version: '2.10', newVersion: '2.11.3' },
      { name: 'Werkzeug', version: '2.0.3', newVersion: '2.1.1' },
      { name: 'pysocks', version: '1.7.1', newVersion: '1.7.2' },
      { name: 'flask', version: '0.12', newVersion: '1.0' },
      { name: 'django', version: '3.2', newVersion: '3.2.19' },
    ]);
    expect(missed).toEqual([{ name: 'django', version: '3.2', newVersion: '3.2.19' }]);
    expect(text).toBe(
      PYPROJECT.replace('Jinja2[i18n] == 2.10 ;', 'Jinja2[i18n] == 2.11.3 ;')
        .replace("'werkzeug>=2,==2.0.3'", "'werkzeug>=2,==2.1.1'")
        .replace('"PySocks==1.7.1"', '"PySocks==1.7.2"')
        .replace('dev-dependencies = ["werkzeug==2.0.3"]', 'dev-dependencies = ["werkzeug==2.1.1"]')
        .replace('docs = ["jinja2==2.10"]', 'docs = ["jinja2==2.11.3"]')
        .replace('jinja2 = "2.10"', 'jinja2 = "2.11.3"')
        .replace('version = "==0.12"', 'version = "==1.0"')
        .replace('{ version = "2.0.3", python', '{ version = "2.1.1", python'),
    );
    // Whole file, byte for byte, so no other change slipped in.
    expect(text).toBe(`# The application's metadata.
[project]
name = "app"   # not a dependency: "app==1.0" stays
version = "1.0"
dependencies = [
    # web
    "Jinja2[i18n] == 2.11.3 ; python_version >= '3.6'",  # templates
    'werkzeug>=2,==2.1.1',
    """requests>=2.19""",
]

[project.optional-dependencies]
socks = ["PySocks==1.7.2"]   # optional

[dependency-groups]
test = ["pytest==7.1.0", { include-group = "lint" }]
lint = ["ruff"]

[tool.uv]
dev-dependencies = ["werkzeug==2.1.1"]

[tool.pdm.dev-dependencies]
docs = ["jinja2==2.11.3"]

[tool.poetry.dependencies]
python = "^3.9"
jinja2 = "2.11.3"          # exact in Poetry
flask = { version = "==1.0", extras = ["dotenv"] }
werkzeug = [
  { version = "2.1.1", python = "<3.8" },
  { version = "^2.3", python = ">=3.8" },
]

[tool.poetry.group.dev.dependencies]
pytest = "7.1.0"
`);
  });

  it('finds every declaration the pyproject source reads', () => {
    const fromSource = parsePyproject(PYPROJECT, 'pyproject.toml').declared.map((d) =>
      d.requirement.name.toLowerCase(),
    );
    const found = manifestDeclarations(PYPROJECT, 'pyproject').map((d) => d.name);
    for (const name of fromSource) expect(found).toContain(name);
  });
});

describe('rewriteManifest: Pipfile', () => {
  it('changes the version string of a package table entry', () => {
    const pipfile = `[[source]]
url = "https://pypi.org/simple"   # the index
name = "pypi"

[packages]
requests = "==2.19.0"
flask = "*"

[dev-packages]
pytest = { version = "==7.1.0", markers = "python_version >= '3.7'" }
`;
    const { text } = rewriteManifest(pipfile, 'pipfile', [
      { name: 'requests', version: '2.19.0', newVersion: '2.20.0' },
      { name: 'pytest', version: '7.1.0', newVersion: '7.2.0' },
    ]);
    expect(text).toBe(
      pipfile
        .replace('requests = "==2.19.0"', 'requests = "==2.20.0"')
        .replace('{ version = "==7.1.0"', '{ version = "==7.2.0"'),
    );
    expect(parsePipfile(text, 'Pipfile').map((d) => d.text)).toEqual(
      parsePipfile(pipfile, 'Pipfile').map((d) =>
        d.text.replace('2.19.0', '2.20.0').replace('7.1.0', '7.2.0'),
      ),
    );
  });
});

describe('rewriteManifest properties', () => {
  const nameArb = fc.constantFrom('jinja2', 'Werkzeug', 'zope.interface', 'a_b');
  const versionArb = fc
    .array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 3 })
    .map((p) => p.join('.'));
  it('rewriting then re-parsing gives the new pin and leaves every other line identical', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(nameArb, versionArb), {
          minLength: 1,
          maxLength: 5,
          selector: ([n]) => n.toLowerCase(),
        }),
        fc.array(fc.constantFrom('# note', '', '  # "jinja2 == 1" in a comment'), { maxLength: 3 }),
        fc.nat(),
        versionArb,
        fc.constantFrom('"', "'"),
        (pins, noise, pick, newVersion, quote) => {
          const lines = [
            ...noise,
            '[project]',
            'name = "app"',
            'dependencies = [',
            ...pins.map(([n, v]) => `    ${quote}${n} == ${v}${quote},  # pinned`),
            ']',
          ];
          const text = `${lines.join('\n')}\n`;
          const [name, version] = pins[pick % pins.length] as [string, string];
          const { text: out, missed } = rewriteManifest(text, 'pyproject', [
            { name, version, newVersion },
          ]);
          expect(missed).toEqual([]);
          const deps = (parse(out) as { project: { dependencies: string[] } }).project.dependencies;
          expect(deps).toEqual(pins.map(([n, v]) => `${n} == ${n === name ? newVersion : v}`));
          const before = text.split('\n');
          const after = out.split('\n');
          expect(after.length).toBe(before.length);
          after.forEach((line, k) => {
            if (!line.startsWith(`    ${quote}${name} == `)) expect(line).toBe(before[k]);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
