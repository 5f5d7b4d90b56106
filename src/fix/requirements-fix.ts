/**
 * `--fix` for requirements files: each vulnerable pin is changed where it is declared (the
 * file given, an `-r` include or a `-c` constraints file), with its `--hash` values when the
 * line has them; a vulnerable package no line pins is appended to the first file.
 */
import type { ResolvedDependency } from '../core/dependency.js';
import type { LocatedRequirement } from '../sources/requirements/collect.js';
import { canonicalizeName } from '../standards/pep503.js';
import type { FixConstraint } from './choose.js';
import type { PlannedFix } from './plan.js';
import {
  rewriteRequirements,
  RewriteError,
  type AddedPin,
  type RequirementPinEdit,
} from './requirements.js';
import type { FileChange } from './transaction.js';
import { skipped, upgraded, type FixOutcome, type Planner } from './types.js';

export interface RequirementsFixInput {
  readonly vulnerable: readonly ResolvedDependency[];
  /** Every requirement read, with its file (as the collector named it). */
  readonly located: readonly LocatedRequirement[];
  /** The files given on the command line, in order. */
  readonly roots: readonly string[];
  /** A collector's file name → an absolute path. */
  readonly resolve: (file: string) => string;
  readonly readFile: (file: string) => Promise<Uint8Array>;
  readonly plan: Planner;
}

const isExactPin = (operator: string, version: string): boolean =>
  operator === '===' || (operator === '==' && !version.endsWith('.*'));

function pinsOf(located: readonly LocatedRequirement[], name: string): LocatedRequirement[] {
  return located.filter(
    (r) =>
      r.entry.requirement !== null &&
      canonicalizeName(r.entry.requirement.name) === name &&
      r.entry.requirement.specifierSet.specifiers.some((s) => isExactPin(s.operator, s.version)),
  );
}

/** The other clauses naming the package (ranges in the files, constraints files). */
function constraintsOf(located: readonly LocatedRequirement[], name: string): FixConstraint[] {
  return located.flatMap((r) => {
    const req = r.entry.requirement;
    if (!req || canonicalizeName(req.name) !== name) return [];
    return req.specifierSet.specifiers
      .filter((s) => !isExactPin(s.operator, s.version))
      .map((s) => ({
        specifier: `${s.operator}${s.version}`,
        reason: `${r.file}:${r.entry.line} requires ${name}${s.operator}${s.version}`,
      }));
  });
}

export async function fixRequirements(input: RequirementsFixInput): Promise<FixOutcome> {
  const constraints = new Map(
    input.vulnerable.map((d) => [d.name, constraintsOf(input.located, d.name)]),
  );
  const planned = await input.plan(input.vulnerable, constraints);
  const texts = new Map<string, { bytes: Uint8Array; text: string } | string>();
  const readText = async (file: string): Promise<{ bytes: Uint8Array; text: string } | string> => {
    let entry = texts.get(file);
    if (entry === undefined) {
      const bytes = await input.readFile(file);
      const text = Buffer.from(bytes).toString('utf8');
      entry = Buffer.from(text, 'utf8').equals(Buffer.from(bytes))
        ? { bytes, text }
        : `${file} is not UTF-8, so it is not rewritten`;
      texts.set(file, entry);
    }
    return entry;
  };
  const hashedFiles = new Set(
    input.located.filter((r) => r.entry.hashes.length > 0).map((r) => r.file),
  );
  const edits = new Map<string, { edits: RequirementPinEdit[]; added: AddedPin[] }>();
  const fixes = [];
  for (const fix of planned) {
    const d = fix.dependency;
    if (fix.kind === 'skip') {
      fixes.push(skipped(d, fix.reason));
      continue;
    }
    const pins = pinsOf(input.located, d.name);
    const wanted: Array<{ file: string; edit?: RequirementPinEdit; added?: AddedPin }> = [];
    let reason: string | null = null;
    const needsHashes =
      pins.some((p) => p.entry.hashes.length > 0) ||
      (pins.length === 0 && hashedFiles.has(input.roots[0] ?? ''));
    if (needsHashes && fix.files.sha256 === null) {
      reason = `the index gives no sha256 for every file of ${d.name} ${fix.version}, so its --hash values cannot be written`;
    }
    for (const p of pins) {
      if (p.file === '-') reason ??= `standard input cannot be rewritten (fixed in ${fix.version})`;
      wanted.push({
        file: p.file,
        edit: {
          line: p.entry.line,
          name: d.name,
          version: fix.version,
          ...(p.entry.hashes.length > 0 && fix.files.sha256 && { hashes: fix.files.sha256 }),
        },
      });
    }
    if (pins.length === 0) {
      const root = input.roots[0] ?? '-';
      if (root === '-') reason ??= `standard input cannot be rewritten (fixed in ${fix.version})`;
      const via = d.graph && d.graph.via.length > 0 ? ` (via ${d.graph.via.join(' > ')})` : '';
      wanted.push({
        file: root,
        added: {
          name: d.name,
          version: fix.version,
          ...(needsHashes && fix.files.sha256 && { hashes: fix.files.sha256 }),
          reason: `pyaudit: a vulnerable dependency${via} pinned to a fixed version`,
        },
      });
    }
    // Each change must apply on its own to the file as read.
    for (const w of wanted) {
      if (reason) break;
      const text = await readText(w.file);
      if (typeof text === 'string') {
        reason = text;
        break;
      }
      try {
        rewriteRequirements(text.text, w.edit ? [w.edit] : [], w.added ? [w.added] : []);
      } catch (e) {
        if (!(e instanceof RewriteError)) throw e;
        reason = `${w.file}: ${e.message}`;
      }
    }
    if (reason) {
      fixes.push(skipped(d, reason));
      continue;
    }
    for (const w of wanted) {
      const entry = edits.get(w.file) ?? { edits: [], added: [] };
      if (w.edit) entry.edits.push(w.edit);
      if (w.added) entry.added.push(w.added);
      edits.set(w.file, entry);
    }
    fixes.push(upgraded(d, fix.version));
  }
  const changes: FileChange[] = [];
  for (const [file, { edits: fileEdits, added }] of edits) {
    const read = (await readText(file)) as { bytes: Uint8Array; text: string };
    const after = rewriteRequirements(read.text, fileEdits, added);
    if (after !== read.text)
      changes.push({
        file: input.resolve(file),
        before: read.bytes,
        after: Buffer.from(after, 'utf8'),
      });
  }
  return { fixes, changes, commands: [], notes: [] };
}

export type { PlannedFix };
