/** What a fixer for one kind of input produces; the CLI prints, writes or runs it. */
import type { FixResult } from '../audit/audit.js';
import type { ResolvedDependency } from '../core/dependency.js';
import type { FixConstraint } from './choose.js';
import type { PlannedFix } from './plan.js';
import type { FileChange } from './transaction.js';

export interface FixOutcome {
  /** One per vulnerable dependency: upgraded, or skipped with the reason (pip-audit's `fixes`). */
  readonly fixes: readonly FixResult[];
  /** Files to replace, all or nothing. */
  readonly changes: readonly FileChange[];
  /** Commands the user runs (lock files are never rewritten), one per package. */
  readonly commands: readonly string[];
  /** Manifest changes a command needs first, and other advice. */
  readonly notes: readonly string[];
}

/** Decides the fix versions (the index and the sources behind it). */
export type Planner = (
  vulnerable: readonly ResolvedDependency[],
  constraints: ReadonlyMap<string, readonly FixConstraint[]>,
) => Promise<PlannedFix[]>;

export const upgraded = (dependency: ResolvedDependency, newVersion: string): FixResult => ({
  name: dependency.name,
  version: dependency.version,
  newVersion,
});

export const skipped = (dependency: ResolvedDependency, skipReason: string): FixResult => ({
  name: dependency.name,
  version: dependency.version,
  skipReason,
});
