/**
 * What a stream can show: colours and OSC 8 hyperlinks. Colours follow `--color`, then
 * `NO_COLOR` (https://no-color.org) and `FORCE_COLOR`, then whether the stream is a terminal;
 * each stream decides for itself (a report piped to a file while warnings go to a terminal).
 * picocolors is used through `createColors(enabled)` only: its default export decides from
 * `process` at import time, not from the stream at hand.
 */
import picocolors from 'picocolors';
import type { Styles } from '../report/types.js';

export type ColorMode = 'auto' | 'always' | 'never';

interface Stream {
  readonly isTTY?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

const isTerminal = (stream: Stream, env: Env): boolean =>
  stream.isTTY === true && env.TERM !== 'dumb';

export function colorEnabled(mode: ColorMode, stream: Stream, env: Env): boolean {
  if (mode !== 'auto') return mode === 'always';
  if ((env.NO_COLOR ?? '') !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  return isTerminal(stream, env);
}

/** OSC 8 hyperlinks: on a terminal only (never in a pipe or file, whatever FORCE_COLOR says). */
export const hyperlinksEnabled = (stream: Stream, env: Env): boolean => isTerminal(stream, env);

export function stylesFor(enabled: boolean): Styles {
  const c = picocolors.createColors(enabled);
  return { bold: c.bold, red: c.red, green: c.green, yellow: c.yellow, dim: c.dim };
}
