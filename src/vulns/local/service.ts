/**
 * The offline source (`-s local`, `--offline`): answers from the local database with the
 * same OSV matching rules the OSV API applies, so findings are identical for the same data.
 */
import type { ResolvedDependency } from '../../core/dependency.js';
import { affecting, type RecordStore } from '../store.js';
import { toVulnerability } from '../record.js';
import type { ArraySource, Vulnerability } from '../types.js';

export function createLocalService(store: RecordStore): ArraySource {
  return {
    name: 'local',
    query: async (dependencies: readonly ResolvedDependency[]): Promise<Vulnerability[][]> =>
      dependencies.map((d) => affecting(store, d.name, d.version).map((r) => toVulnerability(r, d.name, 'local'))),
  };
}
