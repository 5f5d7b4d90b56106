import { describe, expect, it } from 'vitest';
import { defineLazy } from './lazy.js';

describe('defineLazy', () => {
  it('computes once, on first read, and keeps the value as an ordinary enumerable property', () => {
    let calls = 0;
    const target: { id: string; score?: number } = { id: 'A' };
    defineLazy(target, 'score', () => {
      calls++;
      return 7.5;
    });
    expect(calls).toBe(0);
    expect(target.score).toBe(7.5);
    expect(target.score).toBe(7.5);
    expect(calls).toBe(1);
    expect(Object.keys(target)).toEqual(['id', 'score']);
    expect(JSON.stringify(target)).toBe('{"id":"A","score":7.5}');
    expect(Object.getOwnPropertyDescriptor(target, 'score')).toMatchObject({ value: 7.5 });
  });

  it('a spread reads it', () => {
    const target: { score?: number } = {};
    defineLazy(target, 'score', () => 1);
    expect({ ...target }).toEqual({ score: 1 });
  });
});
