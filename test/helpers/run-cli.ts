/**
 * Runs the CLI in-process with captured streams, as a user would run it from `cwd`.
 */
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  stdout: string;
  stderr: string;
  code: number;
}

export async function runCli(
  args: readonly string[],
  options: {
    cwd: string;
    env?: Record<string, string | undefined>;
    stdin?: string;
    stdoutIsTTY?: boolean;
  },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { isTTY: options.stdoutIsTTY ?? false, write: (s: string) => (stdout += s) },
    stderr: { isTTY: false, write: (s: string) => (stderr += s) },
    stdin: Readable.from(options.stdin !== undefined ? [Buffer.from(options.stdin)] : []),
    env: options.env ?? {},
    cwd: options.cwd,
  });
  return { stdout, stderr, code };
}
