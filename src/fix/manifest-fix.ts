/**
 * `--fix` for `pyproject.toml` and `Pipfile`: each vulnerable pin changes in place (see
 * manifest.ts); the other clauses that name the package constrain the choice.
 */
import type { ResolvedDependency } from '../core/dependency.js';
import { poetryToPep440 } from '../sources/manifest/poetry-constraint.js';
import { specifierSetToString } from '../standards/pep440.js';
import { parseRequirement } from '../standards/pep508.js';
import type { FixConstraint } from './choose.js';
import {
  manifestDeclarations,
  rewriteManifest,
  type Declaration,
  type ManifestKind,
} from './manifest.js';
import { skipped, upgraded, type FixOutcome, type Planner } from './types.js';

/** A declaration's constraint as a PEP 440 specifier set (`null`: any version, or unknown). */
export function declaredSpecifier(d: Declaration): string | null {
  const raw = d.string.raw.trim();
  if (d.style === 'pep508') {
    try {
      const spec = specifierSetToString(parseRequirement(raw).specifierSet);
      return spec === '' ? null : spec;
    } catch {
      return null;
    }
  }
  if (raw === '*' || raw === '') return null;
  if (d.style === 'poetry') return poetryToPep440(raw);
  return raw;
}

/** The clauses of every declaration of `name` other than exact pins, as constraints. */
function constraintsOf(
  declarations: readonly Declaration[],
  name: string,
  file: string,
): FixConstraint[] {
  return declarations.flatMap((d) => {
    if (d.name !== name) return [];
    const spec = declaredSpecifier(d);
    if (spec === null) return [];
    const ranges = spec
      .split(',')
      .map((s) => s.trim())
      .filter((s) => !/^(===|==)[^*]*$/.test(s));
    return ranges.map((r) => ({ specifier: r, reason: `${file}:${d.line} requires ${name}${r}` }));
  });
}

export interface ManifestFixInput {
  readonly vulnerable: readonly ResolvedDependency[];
  /** Absolute path, and the name to show. */
  readonly file: string;
  readonly display: string;
  readonly kind: ManifestKind;
  readonly bytes: Uint8Array;
  readonly plan: Planner;
}

export async function fixManifest(input: ManifestFixInput): Promise<FixOutcome> {
  const text = Buffer.from(input.bytes).toString('utf8');
  const declarations = manifestDeclarations(text, input.kind);
  const constraints = new Map(
    input.vulnerable.map((d) => [d.name, constraintsOf(declarations, d.name, input.display)]),
  );
  const planned = await input.plan(input.vulnerable, constraints);
  let after = text;
  const fixes = planned.map((p) => {
    if (p.kind === 'skip') return skipped(p.dependency, p.reason);
    const edit = { name: p.dependency.name, version: p.dependency.version, newVersion: p.version };
    const result = rewriteManifest(after, input.kind, [edit]);
    if (result.missed.length > 0)
      return skipped(
        p.dependency,
        `${input.display} has no plain ==${p.dependency.version} pin of ${p.dependency.name} to change`,
      );
    after = result.text;
    return upgraded(p.dependency, p.version);
  });
  return {
    fixes,
    changes:
      after === text
        ? []
        : [{ file: input.file, before: input.bytes, after: Buffer.from(after, 'utf8') }],
    commands: [],
    notes: [],
  };
}
