/**
 * Narrowing a PEP 751 lock to one install: a package is installed when its marker holds for
 * the target environment, the chosen `extras` and the chosen `dependency_groups` (PEP 751
 * §Marker evaluation). Without a selection nothing is narrowed: every package is audited.
 */
import type { Dependency } from '../../core/dependency.js';
import {
  checkChoices,
  chooseGroups,
  describeSelection,
  extraChosen,
  isNarrowing,
  markerApplies,
  type Selection,
} from '../lock/graph.js';
import type { PylockFile } from './parse.js';

export function selectPylock(
  lock: PylockFile,
  file: string,
  requested: Selection,
): { dependencies: Dependency[]; covered: string } {
  const selection = checkChoices(
    requested,
    { groups: lock.dependencyGroups, extras: lock.extras },
    file,
  );
  if (!isNarrowing(selection))
    return { dependencies: lock.dependencies, covered: describeSelection(selection) };
  const groups = chooseGroups(selection, lock.defaultGroups, []).groups;
  const environment = {
    ...selection.environment,
    extras: lock.extras.filter((e) => extraChosen(selection, e)),
    dependency_groups: [...groups],
  };
  const dependencies = lock.dependencies.map((d): Dependency => {
    if (d.kind === 'skipped' || markerApplies(d.marker, environment)) return d;
    return {
      ...d,
      kind: 'skipped',
      skipKind: 'deselected',
      skipReason: `not installed with the selected groups, extras and environment (marker: ${d.marker})`,
    };
  });
  return { dependencies, covered: describeSelection(selection) };
}
