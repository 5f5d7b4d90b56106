/**
 * A property computed on first read and kept: for values that are costly and that most runs
 * never read (a finding's CVSS scores, read only by severity options and some formats).
 */
export function defineLazy<T extends object, K extends keyof T>(
  target: T,
  key: K,
  compute: () => T[K],
): T {
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get(): T[K] {
      const value = compute();
      Object.defineProperty(target, key, { value, enumerable: true, configurable: false });
      return value;
    },
  });
  return target;
}
