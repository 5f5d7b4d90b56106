/**
 * `--fix` for lock files: pyaudit never rewrites a lock file (the tool that wrote it owns
 * its hashes, markers and resolution). It prints the command that upgrades each package, and
 * when the manifest's own constraint forbids the fixed version, the manifest change to make
 * first. Nothing is applied, so the fixes are reported as not applied, with the command.
 */
import type { ResolvedDependency } from '../core/dependency.js';
import { specifierContains } from '../standards/pep440.js';
import { manifestDeclarations, type ManifestKind } from './manifest.js';
import { declaredSpecifier } from './manifest-fix.js';
import { skipped, type FixOutcome, type Planner } from './types.js';

export type LockKind = 'uv-lock' | 'poetry-lock' | 'pdm-lock' | 'pipfile-lock' | 'pylock';

/** The command that upgrades one package in the lock, as each tool spells it. */
export function upgradeCommand(kind: LockKind, name: string, version: string): string | null {
  switch (kind) {
    case 'uv-lock':
      return `uv lock --upgrade-package ${name}==${version}`;
    case 'poetry-lock':
      return `poetry update ${name}`;
    case 'pdm-lock':
      return `pdm update ${name}`;
    case 'pipfile-lock':
      return `pipenv update ${name}`;
    case 'pylock':
      return null; // PEP 751 locks are written by several tools; no one command
  }
}

/** The manifest each lock is made from. */
export function manifestOf(kind: LockKind): { name: string; kind: ManifestKind } | null {
  if (kind === 'pipfile-lock') return { name: 'Pipfile', kind: 'pipfile' };
  if (kind === 'pylock') return null;
  return { name: 'pyproject.toml', kind: 'pyproject' };
}

export interface LockFixInput {
  readonly vulnerable: readonly ResolvedDependency[];
  readonly kind: LockKind;
  /** The lock file as shown to the user. */
  readonly display: string;
  /** The manifest beside it (shown name and text), when there is one. */
  readonly manifest: { readonly display: string; readonly text: string } | null;
  readonly plan: Planner;
}

export async function fixLock(input: LockFixInput): Promise<FixOutcome> {
  // The manifest's constraints do not block the choice: the change they need is printed.
  const planned = await input.plan(input.vulnerable, new Map());
  const manifestKind = manifestOf(input.kind)?.kind;
  const declarations =
    input.manifest && manifestKind ? manifestDeclarations(input.manifest.text, manifestKind) : [];
  const commands: string[] = [];
  const notes: string[] = [];
  const fixes = planned.map((p) => {
    const d = p.dependency;
    if (p.kind === 'skip') return skipped(d, p.reason);
    for (const declaration of declarations.filter((x) => x.name === d.name)) {
      const spec = declaredSpecifier(declaration);
      let admits = true;
      try {
        admits = spec === null || specifierContains(spec, p.version, { prereleases: true });
      } catch {
        admits = true;
      }
      if (!admits)
        notes.push(
          `${input.manifest?.display ?? ''}:${declaration.line}: the constraint "${declaration.string.raw}" of ${d.name} does not admit ${p.version}; change it first`,
        );
    }
    const command = upgradeCommand(input.kind, d.name, p.version);
    if (command === null)
      return skipped(
        d,
        `${input.display} is not rewritten; lock again with ${d.name}>=${p.version} using the tool that wrote it`,
      );
    commands.push(command);
    return skipped(d, `${input.display} is not rewritten; run: ${command} (fixed in ${p.version})`);
  });
  return { fixes, changes: [], commands, notes };
}
