/**
 * conda environment.yml: entries of the wrong type are errors with their file and line, in
 * the layouts conda's own documentation and real projects use (indented and indentless
 * lists, comments, flow lists); strings stay strings (`python=3.10`).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/run-cli.js';
import { tempDirs } from '../../../test/helpers/temp-dirs.js';
import { parseCondaEnvironment } from './conda.js';

const errorOf = (text: string): string => {
  try {
    parseCondaEnvironment(text, 'environment.yml');
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('environment.yml', () => {
  it('reads conda specs as skipped packages at their lines and the pip list as requirements', () => {
    const env = parseCondaEnvironment(
      [
        'name: analysis',
        'channels:',
        '  - conda-forge',
        'dependencies:',
        '  # the interpreter',
        '  - python=3.10',
        '  - numpy=1.26.0',
        '',
        '  - conda-forge::pandas>=2.0',
        '  - pip:',
        '      - requests==2.19.0',
        '      - flask>=2',
        '',
      ].join('\n'),
      'environment.yml',
    );
    expect(
      env.conda.map((d) => [
        d.displayName,
        d.origin.line,
        d.kind === 'skipped' ? d.skipReason : d.version,
      ]),
    ).toEqual([
      ['python', 6, 'conda package, not from PyPI (python=3.10)'],
      ['numpy', 7, 'conda package, not from PyPI (numpy=1.26.0)'],
      ['pandas', 9, 'conda package, not from PyPI (conda-forge::pandas>=2.0)'],
    ]);
    expect(env.pipRequirements).toBe('requests==2.19.0\nflask>=2\n');
  });

  it('a dependency that is not a string or a pip list is an error naming its line', () => {
    const doc = (...deps: string[]) => ['name: x', 'dependencies:', ...deps, ''].join('\n');
    expect(errorOf(doc('  - python=3.11', '  - 1'))).toBe(
      'environment.yml:4: "dependencies" holds the number 1: expected a conda package (a string) or a "pip:" list',
    );
    expect(errorOf(doc('- python', '# a comment', '- true', '- numpy'))).toBe(
      'environment.yml:5: "dependencies" holds the boolean true: expected a conda package (a string) or a "pip:" list',
    );
    expect(errorOf(doc('  - python', '  -', '  - numpy'))).toBe(
      'environment.yml:4: "dependencies" holds an empty entry: expected a conda package (a string) or a "pip:" list',
    );
    expect(errorOf(doc('  - python', '  - null'))).toBe(
      'environment.yml:4: "dependencies" holds an empty entry: expected a conda package (a string) or a "pip:" list',
    );
    expect(errorOf(doc('  - python', '  - [numpy, scipy]'))).toBe(
      'environment.yml:4: "dependencies" holds a list: expected a conda package (a string) or a "pip:" list',
    );
    expect(
      errorOf(doc('  - python', '  - pip:', '      - requests', '    npm:', '      - x')),
    ).toBe(
      'environment.yml:4: "dependencies" holds a table with "pip", "npm": expected a conda package (a string) or a "pip:" list',
    );
    expect(errorOf(doc('  - python', '  - pip: requests'))).toBe(
      'environment.yml:4: "pip:" must be a list of requirements, not the string requests',
    );
    // A flow list gives every entry the line of its key.
    expect(errorOf('name: x\ndependencies: [python, 3.10]\n')).toBe(
      'environment.yml:2: "dependencies" holds the number 3.1: expected a conda package (a string) or a "pip:" list',
    );
  });

  it('a pip requirement that is not a string is an error naming its line', () => {
    expect(
      errorOf(
        [
          'dependencies:',
          '  - python=3.11',
          '  - pip:',
          '      - requests==2.19.0',
          '      # pinned',
          '      - 2.0',
          '  - numpy',
        ].join('\n'),
      ),
    ).toBe(
      'environment.yml:6: the "pip:" list holds the number 2: expected a requirement (a string)',
    );
    expect(errorOf('dependencies:\n- pip:\n  - requests\n  - false\n')).toBe(
      'environment.yml:4: the "pip:" list holds the boolean false: expected a requirement (a string)',
    );
    expect(errorOf('dependencies:\n  - pip: [requests, 12]\n')).toBe(
      'environment.yml:2: the "pip:" list holds the number 12: expected a requirement (a string)',
    );
  });

  it('not a conda file, or not YAML: one error naming the file', () => {
    expect(errorOf('name: x\n')).toBe(
      'environment.yml: not a conda environment file: no "dependencies" list',
    );
    expect(errorOf('dependencies:\n  - a\n - b\n')).toBe(
      'environment.yml:3: invalid YAML (bad indentation of a mapping entry (3:2))',
    );
  });

  const tempDir = tempDirs();

  it('the CLI prints the error on one line and exits 2', async () => {
    const dir = tempDir('pyaudit-conda-');
    writeFileSync(
      path.join(dir, 'environment.yml'),
      'name: x\ndependencies:\n  - python=3.11\n  - 1\n',
    );
    const result = await runCli(['environment.yml', '--dry-run'], { cwd: dir });
    expect([result.code, result.stdout, result.stderr.trimEnd().split('\n').pop()]).toEqual([
      2,
      '',
      'pyaudit: error: environment.yml:4: "dependencies" holds the number 1: expected a conda package (a string) or a "pip:" list',
    ]);
  });
});

/** One entry of a generated environment.yml: its lines (without the list indentation). */
type Entry =
  | { kind: 'spec'; text: string }
  | { kind: 'bad'; text: string }
  | { kind: 'pip'; reqs: string[]; badAt?: number };

const spec = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}(=[0-9]{1,2}\.[0-9]{1,2})?$/);
const bad = fc.constantFrom('1', '3.10', 'true', 'null', '~', '[a, b]', '{}');
const entry: fc.Arbitrary<Entry> = fc.oneof(
  spec.map((text) => ({ kind: 'spec' as const, text })),
  fc
    .array(fc.stringMatching(/^[a-z][a-z0-9]{0,6}==[0-9]\.[0-9]$/), { minLength: 1, maxLength: 3 })
    .map((reqs) => ({ kind: 'pip' as const, reqs })),
);

describe('environment.yml properties', () => {
  it('the error names the line of the one bad entry, in any layout', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 5 }),
        fc.nat(),
        fc.oneof(
          bad.map((text) => ({ kind: 'bad' as const, text })),
          fc.constant(null),
        ),
        fc.constantFrom(0, 2, 4),
        fc.constantFrom(0, 2),
        fc.boolean(),
        (entries, where, badEntry, indent, pipIndent, comments) => {
          const list: Entry[] = [...entries];
          let badPip: string | undefined;
          if (badEntry) list.splice(where % (list.length + 1), 0, badEntry);
          else {
            // A bad requirement inside a pip list instead.
            list.push({ kind: 'pip', reqs: ['ok==1.0'], badAt: 1 });
            badPip = '2.5';
          }
          const lines = ['name: generated', 'dependencies:'];
          let expected = 0;
          const pad = ' '.repeat(indent);
          for (const e of list) {
            if (comments) lines.push(`${pad}# entry`, '');
            if (e.kind === 'pip') {
              lines.push(`${pad}- pip:`);
              const inner = ' '.repeat(indent + 2 + pipIndent);
              e.reqs.forEach((r) => lines.push(`${inner}- ${r}`));
              if (e.badAt !== undefined) {
                lines.push(`${inner}- ${badPip}`);
                expected = lines.length;
              }
            } else {
              lines.push(`${pad}- ${e.text}`);
              if (e.kind === 'bad') expected = lines.length;
            }
          }
          lines.push('channels:', '  - conda-forge', '');
          const message = errorOf(lines.join('\n'));
          expect(message.startsWith(`environment.yml:${expected}: `)).toBe(true);
        },
      ),
    );
  });

  it('documents of strings only read every spec, in order', () => {
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 6 }), (specs) => {
        const text = `dependencies:\n${specs.map((s) => `  - ${s}`).join('\n')}\n`;
        const env = parseCondaEnvironment(text, 'e.yml');
        expect(env.conda.map((d) => [d.origin.line, d.kind === 'skipped' && d.skipReason])).toEqual(
          specs.map((s, i) => [i + 2, `conda package, not from PyPI (${s})`]),
        );
      }),
    );
  });
});
