import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/helpers/shared.js';
import { pythonJsonDumps, type JsonValue } from './python-json.js';

/** Python's json.dumps output for each case (test/fixtures/json/generate_python_json.py). */
const reference = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'test/fixtures/json/python-json.json'), 'utf8'),
) as Array<{ value: JsonValue; dumps: string }>;

/** The definition, value by value: what the fast version must always agree with. */
function definition(value: JsonValue): string {
  const quote = (text: string): string =>
    JSON.stringify(text).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  if (value === null || typeof value === 'number' || typeof value === 'boolean')
    return JSON.stringify(value);
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value))
    return `[${(value as readonly JsonValue[]).map(definition).join(', ')}]`;
  return `{${Object.entries(value as { readonly [key: string]: JsonValue })
    .map(([k, v]) => `${quote(k)}: ${definition(v)}`)
    .join(', ')}}`;
}

describe("Python's json.dumps layout", () => {
  it('writes what Python writes for each reference case', () => {
    expect(reference).toHaveLength(10);
    for (const { value, dumps } of reference) expect(pythonJsonDumps(value)).toBe(dumps);
  });

  it('property: agrees with the value-by-value definition on any JSON value', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('"', '\\', ',', ':', ' ', '{', '}', '[', ']', 'a', 'é') }),
    );
    const value = fc.letrec<{ json: JsonValue }>((tie) => ({
      json: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('json'), { maxLength: 4 }),
        fc.dictionary(text, tie('json'), { maxKeys: 4 }),
      ),
    })).json;
    fc.assert(
      fc.property(value, (v) => {
        expect(pythonJsonDumps(v)).toBe(definition(v));
      }),
      { numRuns: 500 },
    );
  });
});
