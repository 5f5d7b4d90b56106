import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { lazyModule, tls } from './lazy-module.js';

describe('lazyModule', () => {
  it('requires the module on the first call and returns the same one after', () => {
    const load = lazyModule<typeof os>('node:os');
    expect(load()).toBe(os);
    expect(load()).toBe(load());
    expect(typeof tls().connect).toBe('function');
  });

  it('an unknown module fails when called, not when declared', () => {
    const missing = lazyModule('pyaudit-no-such-module');
    expect(() => missing()).toThrow(/Cannot find module 'pyaudit-no-such-module'/);
  });
});
