/**
 * `--fix` for an installed environment, as pip-audit does it: `<that python> -m pip install
 * NAME==V` per fix, only when the environment's own interpreter runs here (never for `--path`
 * folders, which no tool of ours manages, nor for an environment read from its files).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FixResult } from '../audit/audit.js';
import type { ResolvedDependency } from '../core/dependency.js';
import { skipped, upgraded, type FixOutcome, type Planner } from './types.js';

export interface EnvironmentFixInput {
  readonly vulnerable: readonly ResolvedDependency[];
  /** The interpreter to install with, or why there is none. */
  readonly python: { readonly path: string } | { readonly unavailable: string };
  readonly plan: Planner;
}

/** The plan: one `pip install` command per fix. */
export async function fixEnvironment(input: EnvironmentFixInput): Promise<FixOutcome> {
  const planned = await input.plan(input.vulnerable, new Map());
  const commands: string[] = [];
  const fixes = planned.map((p) => {
    if (p.kind === 'skip') return skipped(p.dependency, p.reason);
    if ('unavailable' in input.python) return skipped(p.dependency, input.python.unavailable);
    commands.push(`${input.python.path} -m pip install ${p.dependency.name}==${p.version}`);
    return upgraded(p.dependency, p.version);
  });
  return { fixes, changes: [], commands, notes: [] };
}

/** Runs pip for each upgrade; a failed install becomes a skipped fix with pip's last line. */
export async function installFixes(
  python: string,
  fixes: readonly FixResult[],
  options: { readonly cwd: string; readonly env: Readonly<Record<string, string | undefined>> },
): Promise<FixResult[]> {
  const results: FixResult[] = [];
  for (const fix of fixes) {
    if (!('newVersion' in fix)) {
      results.push(fix);
      continue;
    }
    try {
      await promisify(execFile)(
        python,
        ['-m', 'pip', 'install', `${fix.name}==${fix.newVersion}`],
        {
          cwd: options.cwd,
          env: { ...options.env } as NodeJS.ProcessEnv,
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      results.push(fix);
    } catch (e) {
      const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim();
      const last =
        stderr
          .split('\n')
          .filter((l) => l.trim() !== '')
          .pop() ?? (e as Error).message;
      results.push({ name: fix.name, version: fix.version, skipReason: `pip failed: ${last}` });
    }
  }
  return results;
}
