import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.js';

/** Applies a unified diff (as `patch` does, hunks in order) to the old text. */
function applyPatch(before: string, diff: string): string {
  const old = before.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const lines = diff.split('\n');
  const out: string[] = [];
  let at = 0;
  for (let k = 2; k < lines.length; k++) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(lines[k] as string);
    if (!header) continue;
    const start = Number(header[1]) - (header[2] === '0' ? 0 : 1);
    while (at < start) out.push(old[at++] as string);
    for (k++; k < lines.length && !(lines[k] as string).startsWith('@@'); k++) {
      const line = lines[k] as string;
      const noEol = lines[k + 1] === '\\ No newline at end of file';
      const text = line.slice(1) + (noEol ? '' : '\n');
      if (line.startsWith(' ') || line.startsWith('-')) {
        expect(old[at]).toBe(text);
        at++;
      }
      if (line.startsWith(' ') || line.startsWith('+')) out.push(text);
      if (noEol) k++;
    }
    k--;
  }
  while (at < old.length) out.push(old[at++] as string);
  return out.join('');
}

describe('unifiedDiff', () => {
  it('gives what diff -u gives for a changed pin', () => {
    const before = Array.from({ length: 12 }, (_, i) => `pkg${i}==1.${i}\n`).join('');
    const after = before.replace('pkg2==1.2', 'pkg2==2.0').replace('pkg11==1.11', 'pkg11==3.0');
    const dir = mkdtempSync(path.join(tmpdir(), 'pyaudit-diff-'));
    try {
      writeFileSync(path.join(dir, 'a'), before);
      writeFileSync(path.join(dir, 'b'), after);
      let expected = '';
      try {
        execFileSync(
          'diff',
          ['-u', '--label', 'a/requirements.txt', '--label', 'b/requirements.txt', 'a', 'b'],
          {
            cwd: dir,
            encoding: 'utf8',
          },
        );
      } catch (e) {
        expected = (e as { stdout: string }).stdout;
      }
      expect(unifiedDiff(before, after, 'a/requirements.txt', 'b/requirements.txt')).toBe(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is empty for equal texts and marks a missing final newline', () => {
    expect(unifiedDiff('a\n', 'a\n', 'x', 'y')).toBe('');
    expect(unifiedDiff('a==1', 'a==2', 'x', 'y')).toBe(
      '--- x\n+++ y\n@@ -1 +1 @@\n-a==1\n\\ No newline at end of file\n+a==2\n\\ No newline at end of file\n',
    );
  });

  it('property: applying the diff to the old text gives the new text', () => {
    const lineArb = fc.constantFrom('a\n', 'b\n', 'c\n', 'flask==1.0\n', '# c\n', '\n', 'x');
    fc.assert(
      fc.property(
        fc.array(lineArb, { maxLength: 30 }),
        fc.array(lineArb, { maxLength: 30 }),
        (x, y) => {
          const clean = (l: string[]): string =>
            l.map((s, i) => (i < l.length - 1 && !s.endsWith('\n') ? `${s}\n` : s)).join('');
          const before = clean(x);
          const after = clean(y);
          expect(applyPatch(before, unifiedDiff(before, after, 'a', 'b'))).toBe(after);
        },
      ),
      { numRuns: 300 },
    );
  });
});
