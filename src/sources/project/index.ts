/**
 * A project's dependency files as one source: reads each file, hands it to its format's
 * parser, and applies the selection (groups, extras, dev) and the target environment
 * (`--python-version`, `--platform`, `--marker-env`).
 */
import { readFile } from 'node:fs/promises';
import type { CollectResult, Dependency, DependencySource } from '../../core/dependency.js';
import { inputError, describeSystemError } from '../../core/errors.js';
import {
  evaluateMarkerPartial,
  parseMarker,
  type MarkerEnvironment,
} from '../../standards/markers.js';
import { chooseGroups, selectLocked, type LockGraph, type Selection } from '../lock/graph.js';
import { parsePdmLock } from '../lock/pdm.js';
import { parsePipfileLock } from '../lock/pipfile.js';
import { parsePoetryLock } from '../lock/poetry.js';
import { parseUvLock } from '../lock/uv.js';
import { parseCondaEnvironment } from '../manifest/conda.js';
import { declaredToDependencies, type DeclaredRequirement } from '../manifest/declared.js';
import { parsePipfile } from '../manifest/pipfile.js';
import { parsePyproject } from '../manifest/pyproject.js';
import { parseScriptMetadata } from '../manifest/script.js';
import { parsePylock } from '../pylock/parse.js';
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
  return dependencies.map((d) => {
    if (!d.marker || (d.kind === 'skipped' && d.skipKind === 'not-applicable')) return d;
    let applies: boolean | null = null;
    try {
      applies = evaluateMarkerPartial(parseMarker(d.marker), { extra: '', ...environment });
    } catch {
      applies = null;
    }
    if (applies !== false) return d;
    const { name, displayName, origin, marker, graph } = d;
    return {
      name,
      displayName,
      origin,
      marker,
      ...(graph && { graph }),
      kind: 'skipped',
      skipKind: 'not-applicable',
      skipReason: `not installed in the target environment (marker: ${marker})`,
    };
  });
}

function declaredSelection(
  selection: Selection,
  defaults: readonly string[],
  dev: readonly string[],
) {
  return {
    ...chooseGroups(selection, defaults, dev),
    extras: selection.allExtras ? ('all' as const) : new Set(selection.extras ?? []),
  };
}

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
  const lockParser = LOCK_PARSERS[type];
  if (lockParser)
    return { dependencies: selectLocked(lockParser(text, file), selection), warnings: [] };
  switch (type) {
    case 'pylock': {
      const lock = parsePylock(text, file);
      // PEP 751: markers may test the chosen extras and dependency groups.
      const groups = declaredSelection(selection, lock.defaultGroups, []).groups;
      const extras = selection.allExtras ? lock.extras : (selection.extras ?? []);
      const environment: MarkerEnvironment = {
        ...selection.environment,
        extras,
        dependency_groups: [...groups],
      };
      return { dependencies: restrict(lock.dependencies, environment), warnings: [] };
    }
    case 'pyproject': {
      const project = parsePyproject(text, file);
      const chosen = declaredSelection(selection, project.defaultGroups, project.devGroups);
      return {
        dependencies: restrict(
          declaredToDependencies(file, project.declared, chosen),
          selection.environment,
        ),
        warnings: [],
      };
    }
    case 'pipfile': {
      const declared: DeclaredRequirement[] = parsePipfile(text, file);
      const chosen = declaredSelection(selection, [], ['dev-packages']);
      return {
        dependencies: restrict(
          declaredToDependencies(file, declared, chosen),
          selection.environment,
        ),
        warnings: [],
      };
    }
    case 'script': {
      const chosen = { groups: new Set<string>(), main: true, extras: new Set<string>() };
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
      for (const file of input.files) {
        const result = await collectFile(input.type, file, options);
        for (const d of result.dependencies) dependencies.push(d);
        for (const w of result.warnings) warnings.push(w);
      }
      return { dependencies, warnings };
    },
  };
}
