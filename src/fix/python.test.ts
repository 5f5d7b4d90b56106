import { describe, expect, it } from 'vitest';
import { declaredRequiresPython, lowestPython } from './python.js';

describe('lowestPython', () => {
  it.each([
    ['>=3.8', '3.8'],
    ['>3.8', '3.9'],
    ['~=3.10', '3.10'],
    ['>=2.7,!=3.0.*,!=3.1.*', '2.7'],
    ['>=3.9,<3.13', '3.9'],
    ['<2', null],
    ['nonsense', null],
  ])('%s → %s', (spec, lowest) => {
    expect(lowestPython(spec)).toBe(lowest);
  });

  it('reads requires-python from pyproject.toml and uv.lock text', () => {
    expect(
      declaredRequiresPython('[project]\nname = "a"\nrequires-python = ">=3.8"  # LTS\n'),
    ).toBe('>=3.8');
    expect(declaredRequiresPython('version = 1\nrequires-python = ">=3.10"\n')).toBe('>=3.10');
    expect(declaredRequiresPython('[tool.x]\nrequires-python = ">=3.1"\n')).toBe(null);
    expect(declaredRequiresPython('[requires]\npython_version = "3.9"\n')).toBe('==3.9.*');
    expect(lowestPython('==3.9.*')).toBe('3.9');
  });
});
