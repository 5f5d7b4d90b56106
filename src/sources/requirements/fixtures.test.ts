/**
 * The requirements parser against real files from other tools' test suites
 * (`../shared/parser-fixtures`). Each tool has its own contract; where pyaudit's rule differs
 * on purpose, the case is listed in DIFFERENCES with the reason, and the test asserts
 * pyaudit's own answer for it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeShared, sharedAvailable, sharedPath } from '../../../test/helpers/shared.js';
import { formatMarker } from '../../standards/markers.js';
import { canonicalizeName } from '../../standards/pep503.js';
import { collectRequirements } from './collect.js';
import { decodeRequirementsBytes } from './lines.js';
import { parseRequirementsText, type RequirementEntry } from './parse.js';

interface Meta {
  input: string;
  expect_error?: boolean;
}

function cases(set: string): string[] {
  if (!sharedAvailable()) return ['(missing)'];
  return readdirSync(sharedPath('parser-fixtures', set)).sort();
}

function load(set: string, name: string): { dir: string; meta: Meta; expected: unknown[] } {
  const dir = sharedPath('parser-fixtures', set, name);
  return {
    dir,
    meta: JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Meta,
    expected: JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as unknown[],
  };
}

function parseFixture(dir: string, input: string) {
  return parseRequirementsText(decodeRequirementsBytes(readFileSync(path.join(dir, input))));
}

const clauses = (specifier: string): string[] =>
  specifier
    .split(',')
    .map((s) => s.replace(/\s+/g, ''))
    .filter(Boolean)
    .sort();

/** A URL's `#egg=name[extras]` compared without the extras (pip-requirements-parser drops them). */
const linkKey = (link: string | null): string | null =>
  link?.replace(/(egg=[^&[]+)\[[^\]]*\]/, '$1') ?? null;

interface PrpExpected {
  name: string | null;
  specifier: string;
  marker: string | null;
  link: string | null;
  editable: boolean;
  hashes: string[];
  line: number;
}

/**
 * pip-requirements-parser cases where pyaudit deliberately answers differently, keyed by
 * `case:line`, with pyaudit's answer (the requirement name, or an error/warning line).
 */
const PRP_DIFFERENCES: Record<string, { ours: string; why: string }> = {
  'more-requirements__jacobzweig-RCNN_Toolbox-requirements:8': {
    ours: 'Lasagne',
    why: '#egg=Lasagne==0.2.git: the leading project name is kept; the line is an editable VCS requirement and is skipped anyway',
  },
  'more-requirements__jacobzweig-RCNN_Toolbox-requirements:9': {
    ours: 'nolearn',
    why: 'same as line 8',
  },
  'sc-requirements__local_paths_and_files-requirements:2': {
    ours: 'MyProject',
    why: 'file://../../lib/project#egg=MyProject carries a name in #egg= like every other URL',
  },
  ...Object.fromEntries(
    [1, 2, 3, 4, 5, 6, 7].map((line) => [
      `more-requirements__ministryofjustice-elasticsearch-formula-formula-requirements:${line}`,
      {
        ours: 'git',
        why: '`git@github.com:…` is a PEP 508 direct reference named "git" (pip reads it so too); it is a URL requirement and skipped',
      },
    ]),
  ),
};

/** Lines pyaudit warns about that pip-requirements-parser accepts silently. */
const PRP_EXTRA_WARNINGS: Record<string, number[]> = {
  // `--install-option` was removed in pip 23.1: accepted, with a warning that it is ignored.
  'requirements__pip-docs-examples3': [55, 60],
};

describeShared('requirements parser vs pip-requirements-parser fixtures', () => {
  const set = 'pip-requirements-parser/requirements-txt';
  it.each(cases(set))('%s', (name) => {
    const { dir, meta, expected } = load(set, name);
    const upstream = JSON.parse(readFileSync(path.join(dir, 'upstream-expected.json'), 'utf8')) as {
      invalid_lines?: Array<{ line_number: number }>;
    };
    const parsed = parseFixture(dir, meta.input);
    const ours = new Map(
      parsed.entries
        .filter((e): e is RequirementEntry => e.kind === 'requirement')
        .map((e) => [e.line, e]),
    );
    for (const want of expected as PrpExpected[]) {
      const got = ours.get(want.line);
      const difference = PRP_DIFFERENCES[`${name}:${want.line}`];
      expect(got, `line ${want.line}`).toBeDefined();
      expect(got!.requirement?.name ?? null, `name at line ${want.line}`).toBe(
        difference ? difference.ours : want.name,
      );
      expect(got!.editable).toBe(want.editable);
      expect([...got!.hashes].sort()).toEqual([...want.hashes].sort());
      expect(linkKey(got!.link)).toBe(difference ? linkKey(got!.link) : linkKey(want.link));
      expect(got!.marker ? formatMarker(got!.marker) : null).toBe(want.marker);
      if (!got!.link)
        expect(clauses(got!.requirement?.specifier ?? '')).toEqual(clauses(want.specifier));
    }
    const acceptedHere = Object.keys(PRP_DIFFERENCES)
      .filter((k) => k.startsWith(`${name}:`))
      .map((k) => Number(k.slice(name.length + 1)));
    const expectedLines = new Set([
      ...(expected as PrpExpected[]).map((e) => e.line),
      ...acceptedHere,
    ]);
    expect([...ours.keys()].sort((a, b) => a - b)).toEqual(
      [...expectedLines].sort((a, b) => a - b),
    );
    // Lines the upstream parser rejects: pyaudit reports each (an error, or a warning where
    // pip itself ignores the text) — never silently.
    const expectedProblems = new Set([
      ...(upstream.invalid_lines ?? [])
        .map((l) => l.line_number)
        .filter((l) => !acceptedHere.includes(l)),
      ...(PRP_EXTRA_WARNINGS[name] ?? []),
    ]);
    expect(parsed.problems.map((p) => p.line)).toEqual([...expectedProblems].sort((a, b) => a - b));
  });
});

/** osv-scanner cases that pip (and so pyaudit) rejects, with pyaudit's error. */
const OSV_REJECTED: Record<string, RegExp> = {
  // The three files pin one project at 1, 2 and 3: pip cannot install that.
  'cyclic-r-complex-1':
    /cyclic-r-complex-2\.txt:4: package cyclic-r-complex has duplicate requirements: cyclic-r-complex==2 conflicts with cyclic-r-complex==3/,
  // One line has --hash, so pip's hash-checking mode requires a hash on every line.
  'with-per-requirement-options':
    /with-per-requirement-options\.txt:2: requirement foo==1\.0\.0 does not contain a hash \(hash-checking mode is on because .*:1 has --hash\)/,
};

interface OsvExpected {
  name: string;
  version: string;
}

describeShared('requirements collection vs osv-scanner v1 fixtures (includes followed)', () => {
  const set = 'osv-scanner-v1/requirements-txt';
  it.each(cases(set))('%s', async (name) => {
    const { dir, meta, expected } = load(set, name);
    const run = collectRequirements([path.join(dir, meta.input)], { readFile: (f) => readFile(f) });
    const rejected = OSV_REJECTED[name];
    if (rejected) {
      await expect(run).rejects.toThrow(rejected);
      return;
    }
    if (name === 'file-format-example') {
      // Beyond osv-scanner's list, pyaudit audits the two wheels the file names
      // (`./downloads/numpy-1.9.2-cp34-none-win32.whl`, a wxPython_Phoenix wheel URL):
      // a wheel's file name states its project and version.
      const { dependencies } = await run;
      expect(
        dependencies.filter((d) => d.kind === 'resolved').map((d) => [d.name, d.version]),
      ).toEqual([
        ['docopt', '0.6.1'],
        ['django', '2.2.24'],
        ['numpy', '1.9.2'],
        ['wxpython-phoenix', '3.0.3.dev1820+49a8884'],
      ]);
      return;
    }
    if (meta.expect_error) {
      await expect(run).rejects.toThrow(
        /cannot read included file .*does-not-exist\.txt: no such file/,
      );
      return;
    }
    if (name === 'line-continuation') {
      // osv-scanner reports `bar 4.5\\` (a quirk); pip strips trailing backslashes and joins
      // `bar == 4.5\\` with `.6`: bar==4.5.6.
      const { dependencies } = await run;
      expect(dependencies.map((d) => [d.name, d.kind === 'resolved' ? d.version : null])).toEqual([
        ['foo', '1.2.3'],
        ['bar', '4.5.6'],
        ['baz', '7.8.9'],
        ['qux', '10.11.12'],
      ]);
      return;
    }
    const { dependencies } = await run;
    // Same packages (osv-scanner de-duplicates on name@version); exact pins agree on version,
    // and what osv-scanner calls 0.0.0 (unpinned) pyaudit lists as skipped.
    const want = expected as OsvExpected[];
    expect([...new Set(dependencies.map((d) => d.name))].sort()).toEqual(
      [...new Set(want.map((e) => canonicalizeName(e.name)))].sort(),
    );
    for (const d of dependencies) {
      const theirs = want.filter((e) => canonicalizeName(e.name) === d.name).map((e) => e.version);
      if (d.kind === 'resolved') expect(theirs).toContain(d.version);
      else expect(d.skipKind).toBe('unpinned');
    }
  });
});

interface RenovateExpected {
  name: string;
  version: string | null;
  currentValue?: string | null;
}

describeShared('requirements parser vs renovate fixtures', () => {
  const set = 'renovate/requirements-txt';
  it.each(cases(set))('%s', (name) => {
    const { dir, meta, expected } = load(set, name);
    const parsed = parseFixture(dir, meta.input);
    if (name === 'requirements4' || name === 'requirements5') {
      // `--default-timeout` is a pip command-line option, not a requirements-file one: pip
      // rejects these files, and so does pyaudit (renovate skips the line).
      expect(parsed.problems).toEqual([
        {
          line: name === 'requirements4' ? 1 : 2,
          message: 'no such option: --default-timeout',
          severity: 'error',
        },
      ]);
    } else {
      expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
    }
    const entries = parsed.entries.filter((e): e is RequirementEntry => e.kind === 'requirement');
    const want = expected as RenovateExpected[];
    if (name === 'requirements-git-packages') {
      // Renovate reads the git ref as a version; pyaudit keeps these as unnamed VCS links
      // (skipped as URL requirements): a tag is not a release version.
      expect(entries.map((e) => [e.requirement, e.link?.startsWith('git+')])).toEqual(
        want.map(() => [null, true]),
      );
      return;
    }
    const named = entries.filter((e) => e.requirement && !e.link);
    expect(named.map((e) => e.requirement!.name)).toEqual(want.map((e) => e.name));
    for (const [i, e] of named.entries()) {
      const w = want[i]!;
      expect(clauses(e.requirement!.specifier)).toEqual(clauses(w.currentValue ?? ''));
    }
  });
});

interface SyftExpected {
  name: string;
  version: string;
}

describeShared('requirements parser vs syft fixtures', () => {
  it('pinned-only: exact pins agree; the lines pip rejects are reported with their line', () => {
    const { dir, meta, expected } = load('syft/requirements-txt', 'requires__pinned-only');
    const parsed = parseFixture(dir, meta.input);
    // syft skips these silently; pip (and pyaudit) reject them: `-e` of a plain https URL
    // (not VCS), `--requirements` is not an option, `==2.3.4` has no name, and
    // `name == 1 @ url` is not PEP 508.
    expect(parsed.problems.map((p) => [p.line, p.severity])).toEqual([
      [8, 'error'],
      [10, 'error'],
      [23, 'error'],
      [26, 'error'],
    ]);
    const pinned = parsed.entries
      .filter((e): e is RequirementEntry => e.kind === 'requirement' && e.requirement !== null)
      .flatMap((e) =>
        e
          .requirement!.specifierSet.specifiers.filter(
            (s) => (s.operator === '==' && !s.version.endsWith('.*')) || s.operator === '===',
          )
          .map((s) => ({ name: canonicalizeName(e.requirement!.name), version: s.version })),
      );
    // syft also reads line 26's `== 3.7.1` before the URL; pip rejects that line.
    expect(pinned).toEqual(
      (expected as SyftExpected[])
        .filter((e) => e.name !== 'githubsampleproject')
        .map((e) => ({ name: e.name, version: e.version })),
    );
  });

  it('single requirement lines', () => {
    const data = JSON.parse(
      readFileSync(sharedPath('parser-fixtures/syft/requirements-line/cases.json'), 'utf8'),
    ) as { newRequirement: Array<{ test: string; line: string; want: { Name?: string } }> };
    for (const c of data.newRequirement) {
      const parsed = parseRequirementsText(`${c.line}\n`);
      const entry = parsed.entries[0] as RequirementEntry | undefined;
      const pepValid = parsed.problems.length === 0;
      if (!pepValid) continue; // lines pip rejects are covered above
      // syft keeps extras inside Name; compare the bare project name.
      expect([c.test, entry?.requirement?.name]).toEqual([
        c.test,
        c.want.Name?.replace(/\[.*$/, ''),
      ]);
    }
  });
});

describe('requirements fixtures helper', () => {
  it('compares specifiers as sets of clauses', () => {
    expect(clauses('>= 1.0 , <2')).toEqual(['<2', '>=1.0']);
  });
});
