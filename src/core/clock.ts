/**
 * Milliseconds on a monotonic clock, for durations. `performance.now()` would do the same but
 * loads Node's perf_hooks (about 1 ms of every start-up).
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
