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
    async query(dependencies: readonly ResolvedDependency[]): Promise<Vulnerability[][]> {
      const answers = new Map<string, Vulnerability[]>();
      return dependencies.map((d) => {
        const key = `${d.name}\u0000${d.version}`;
        let answer = answers.get(key);
        if (!answer) {
          answer = affecting(store, d.name, d.version).map((r) =>
            toVulnerability(r, d.name, 'local'),
          );
          answers.set(key, answer);
        }
        return answer;
      });
    },
  };
}
