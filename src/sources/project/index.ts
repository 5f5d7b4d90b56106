/**
 * A project's dependency files as one source: reads each file, hands it to its format's
 * parser, and applies the selection (groups, extras, dev) and the target environment
 * (`--python-version`, `--platform`, `--marker-env`).
 */
import { readFile } from 'node:fs/promises';
import {
  isLeftOut,
  type CollectResult,
  type Dependency,
  type DependencySource,
} from '../../core/dependency.js';
import { describeSystemError, inputError } from '../../core/errors.js';
import {
  evaluateMarkerPartial,
  parseMarker,
  type MarkerEnvironment,
} from '../../standards/markers.js';
import {
  checkChoices,
  chooseGroups,
  describeSelection,
  extraChosen,
  isNarrowing,
  selectLocked,
  type LockGraph,
  type Selection,
} from '../lock/graph.js';
import { parsePdmLock } from '../lock/pdm.js';
import { parsePipfileLock } from '../lock/pipfile.js';
import { parsePoetryLock } from '../lock/poetry.js';
import { parseUvLock } from '../lock/uv.js';
import { parseCondaEnvironment } from '../manifest/conda.js';
import {
  declaredToDependencies,
  type DeclaredRequirement,
  type DeclaredSelection,
} from '../manifest/declared.js';
import { parsePipfile, PIPFILE_GROUP_ALIASES } from '../manifest/pipfile.js';
import { parsePyproject } from '../manifest/pyproject.js';
import { parseScriptMetadata } from '../manifest/script.js';
import { parsePylock } from '../pylock/parse.js';
import { selectPylock } from '../pylock/select.js';
import { collectRequirements, type RequirementsCollectOptions } from '../requirements/collect.js';
import { readSbom } from '../sbom/read.js';
import type { InputType, ProjectInput } from './detect.js';

export interface ProjectSourceOptions {
  /** Resolves a file named in the input to a path to read. */
  readonly resolve: (file: string) => string;
  readonly selection: Selection;
  /** For requirements files (and a conda file's pip section). */
  readonly requirements: RequirementsCollectOptions;
}

/** A marker false in the target environment makes the dependency not applicable there. */
function restrict(
  dependencies: Dependency[],
  environment: MarkerEnvironment | undefined,
): Dependency[] {
  if (!environment) return dependencies;
  return dependencies.map((d): Dependency => {
    if (!d.marker || (d.kind === 'skipped' && isLeftOut(d.skipKind))) return d;
    let applies: boolean | null = null;
    try {
      applies = evaluateMarkerPartial(parseMarker(d.marker), { extra: '', ...environment });
    } catch {
      applies = null;
    }
    if (applies !== false) return d;
    return {
      ...d,
      kind: 'skipped',
      skipKind: 'deselected',
      skipReason: `not installed in the target environment (marker: ${d.marker})`,
    };
  });
}

/** The groups and extras a manifest's selection installs (everything when none is asked). */
function declaredSelection(
  requested: Selection,
  available: { groups: readonly string[]; extras: readonly string[] },
  defaults: readonly string[],
  dev: readonly string[],
  file: string,
  aliases: Readonly<Record<string, string>> = {},
): DeclaredSelection {
  const selection = checkChoices(requested, available, file, aliases);
  const skipEditable = selection.skipEditable === true;
  if (!isNarrowing(selection))
    return { groups: new Set(available.groups), main: true, extras: 'all', skipEditable };
  return {
    ...chooseGroups(selection, defaults, dev),
    extras: new Set(available.extras.filter((e) => extraChosen(selection, e))),
    skipEditable,
  };
}

/** The coverage note of a lock file or manifest. */
function coverage(
  file: string,
  dependencies: readonly Dependency[],
  noun: [string, string],
  how: string,
): string {
  const left = dependencies.filter(
    (d) => d.kind === 'skipped' && d.skipKind === 'deselected',
  ).length;
  const total = dependencies.length;
  const count = left > 0 ? `${total - left} of ${total}` : total === 1 ? '1' : `all ${total}`;
  return `${file}: ${count} ${total === 1 ? noun[0] : noun[1]} selected: ${how}`;
}

const LOCKED: [string, string] = ['locked package', 'locked packages'];
const DECLARED: [string, string] = ['declared requirement', 'declared requirements'];

async function readText(file: string, resolved: string): Promise<string> {
  try {
    return await readFile(resolved, 'utf8');
  } catch (e) {
    throw inputError(
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : describeSystemError(e),
      file,
    );
  }
}

const LOCK_PARSERS: Partial<Record<InputType, (text: string, file: string) => LockGraph>> = {
  'uv-lock': parseUvLock,
  'poetry-lock': parsePoetryLock,
  'pdm-lock': parsePdmLock,
  'pipfile-lock': parsePipfileLock,
};

async function collectFile(
  type: InputType,
  file: string,
  options: ProjectSourceOptions,
): Promise<CollectResult> {
  const { selection } = options;
  if (type === 'requirements') return collectRequirements([file], options.requirements);
  const text = await readText(file, options.resolve(file));
  const how = describeSelection(selection);
  const lockParser = LOCK_PARSERS[type];
  if (lockParser) {
    const dependencies = selectLocked(lockParser(text, file), selection);
    return { dependencies, warnings: [], notes: [coverage(file, dependencies, LOCKED, how)] };
  }
  switch (type) {
    case 'pylock': {
      const lock = parsePylock(text, file, { skipEditable: selection.skipEditable === true });
      const { dependencies } = selectPylock(lock, file, selection);
      return { dependencies, warnings: [], notes: [coverage(file, dependencies, LOCKED, how)] };
    }
    case 'pyproject': {
      const project = parsePyproject(text, file);
      const chosen = declaredSelection(
        selection,
        project,
        project.defaultGroups,
        project.devGroups,
        file,
      );
      const dependencies = restrict(
        declaredToDependencies(file, project.declared, chosen),
        selection.environment,
      );
      return { dependencies, warnings: [], notes: [coverage(file, dependencies, DECLARED, how)] };
    }
    case 'pipfile': {
      const declared: DeclaredRequirement[] = parsePipfile(text, file);
      const groups = [
        ...new Set(declared.filter((d) => d.kind === 'group').map((d) => d.group as string)),
      ];
      const chosen = declaredSelection(
        selection,
        { groups, extras: [] },
        [],
        ['dev-packages'],
        file,
        PIPFILE_GROUP_ALIASES,
      );
      const dependencies = restrict(
        declaredToDependencies(file, declared, chosen),
        selection.environment,
      );
      return { dependencies, warnings: [], notes: [coverage(file, dependencies, DECLARED, how)] };
    }
    case 'script': {
      const chosen = declaredSelection(selection, { groups: [], extras: [] }, [], [], file);
      return {
        dependencies: restrict(
          declaredToDependencies(file, parseScriptMetadata(text, file), chosen),
          selection.environment,
        ),
        warnings: [],
      };
    }
    case 'conda': {
      const env = parseCondaEnvironment(text, file);
      if (!env.pipRequirements) return { dependencies: env.conda, warnings: [] };
      // The pip section is read as a requirements file of its own, includes relative to the environment file.
      const virtual = `${file} (pip section)`;
      const pip = await collectRequirements([virtual], {
        ...options.requirements,
        readFile: (f) =>
          f === virtual
            ? Promise.resolve(Buffer.from(env.pipRequirements))
            : options.requirements.readFile(f),
      });
      return { dependencies: [...env.conda, ...pip.dependencies], warnings: pip.warnings };
    }
    case 'cyclonedx-json':
    case 'cyclonedx-xml':
    case 'spdx-json':
      return readSbom(text, file, type);
    default:
      throw inputError(`cannot read ${type} files`, file);
  }
}

export function projectSource(
  input: ProjectInput,
  options: ProjectSourceOptions,
): DependencySource {
  return {
    description: input.files.join(', '),
    async collect(): Promise<CollectResult> {
      if (input.type === 'requirements')
        return collectRequirements(input.files, options.requirements);
      const dependencies: Dependency[] = [];
      const warnings: string[] = [];
      const notes: string[] = [];
      for (const file of input.files) {
        const result = await collectFile(input.type, file, options);
        for (const d of result.dependencies) dependencies.push(d);
        for (const w of result.warnings) warnings.push(w);
        for (const n of result.notes ?? []) notes.push(n);
      }
      return { dependencies, warnings, notes };
    },
  };
}
