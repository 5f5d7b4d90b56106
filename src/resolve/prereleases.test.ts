import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSpecifierSet, parseVersion } from '../standards/pep440.js';
import { applicableVersions } from './prereleases.js';

/** pip's vendored `packaging` on each case (test/fixtures/generate_index.py). */
const cases = JSON.parse(
  readFileSync(
    path.resolve(import.meta.dirname, '../../test/fixtures/index/prereleases.json'),
    'utf8',
  ),
) as Array<{ specifier: string; versions: string[]; default: string[]; pre: string[] }>;

describe("pip's pre-release rules", () => {
  it.each(
    cases.map((c) => [`${c.specifier || '(none)'} over ${c.versions.join(' ')}`, c] as const),
  )('%s', (_label, c) => {
    const items = c.versions.map((version) => ({ version, parsed: parseVersion(version)! }));
    const specs = parseSpecifierSet(c.specifier)!.specifiers;
    expect(applicableVersions(items, specs, false).map((i) => i.version)).toEqual(c.default);
    expect(applicableVersions(items, specs, true).map((i) => i.version)).toEqual(c.pre);
  });
});
