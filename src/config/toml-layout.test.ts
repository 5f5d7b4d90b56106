import fc from 'fast-check';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { scanTomlLayout } from './toml-layout.js';

describe('TOML layout', () => {
  it('finds keys, tables, array-of-tables headers and inline-table items', () => {
    const text = [
      '# top',
      'title = "a = b # not a comment"',
      '',
      '[tool.pyaudit]',
      'format = """',
      'strict = true',
      '"""',
      "desc = '''x'''",
      'ignore = [',
      '  { id = "A", reason = "[brackets] {braces}" },  # one',
      '',
      '  { id = "B" },',
      ']',
      '"quoted.key" = 1',
      '',
      '[[tool.pyaudit.rule]]',
      'id = "C"',
      '[[tool.pyaudit.rule]]',
      'id = "D"',
    ].join('\n');
    expect(() => parse(text)).not.toThrow();
    const layout = scanTomlLayout(text);
    expect(layout.keyLine('', 'title')).toBe(2);
    expect(layout.keyLine('', 'tool.pyaudit')).toBe(4);
    expect(layout.keyLine('tool.pyaudit', 'format')).toBe(5);
    // Inside a multi-line string: not a key.
    expect(layout.keyLine('tool.pyaudit', 'strict')).toBeUndefined();
    expect(layout.keyLine('tool.pyaudit', 'desc')).toBe(8);
    expect(layout.keyLine('tool.pyaudit', 'ignore')).toBe(9);
    expect(layout.itemLines('tool.pyaudit', 'ignore')).toEqual([10, 12]);
    expect(layout.keyLine('tool.pyaudit', 'quoted.key')).toBe(14);
    expect(layout.itemLines('tool.pyaudit', 'rule')).toEqual([16, 18]);
  });

  it('every top-level key is found on the line that defines it', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
    const value = fc.oneof(
      fc.string().map((s) => JSON.stringify(s)),
      fc.integer().map(String),
      fc.boolean().map(String),
      fc
        .array(fc.string(), { maxLength: 3 })
        .map((a) => `[\n  ${a.map((s) => JSON.stringify(s)).join(',\n  ')}\n]`),
      fc.string().map((s) => `'''\n${s.replace(/'/g, '')}\n'''`),
      fc.constant('{ id = "x", list = [1, 2] }'),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 8 }),
        (entries) => {
          const lines: string[] = [];
          const expected = new Map<string, number>();
          for (const [k, v] of entries) {
            lines.push(`# about ${k} = no`);
            expected.set(k, lines.join('\n').split('\n').length + 1);
            lines.push(`${k} = ${v}`);
          }
          const text = lines.join('\n');
          const parsed = parse(text);
          const layout = scanTomlLayout(text);
          for (const [k, line] of expected) {
            expect(Object.hasOwn(parsed, k)).toBe(true);
            expect(layout.keyLine('', k)).toBe(line);
          }
        },
      ),
    );
  });
});
