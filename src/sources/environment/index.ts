/**
 * The installed-environment dependency source (no `-r`, `--path`, `--python`).
 */
import type { CollectResult, DependencySource } from '../../core/dependency.js';
import { collectEnvironment } from './collect.js';
import { locateEnvironment, type LocateOptions, type PythonEnvironment } from './locate.js';

export { collectEnvironment, installedDistributions } from './collect.js';
export { locateEnvironment, type PythonEnvironment } from './locate.js';
export { scanPathEntry, type InstalledDistribution } from './scan.js';

export interface EnvironmentSourceOptions extends LocateOptions {
  readonly skipEditable?: boolean;
  readonly exclude?: ReadonlySet<string>;
  /** Told which environment is being audited, before it is read. */
  readonly onLocated?: (environment: PythonEnvironment) => void;
}

export function environmentSource(options: EnvironmentSourceOptions): DependencySource {
  return {
    description: 'installed environment',
    async collect(): Promise<CollectResult> {
      const environment = await locateEnvironment(options);
      options.onLocated?.(environment);
      return collectEnvironment({
        paths: environment.paths,
        markers: environment.markers,
        ...(options.skipEditable !== undefined && { skipEditable: options.skipEditable }),
        ...(options.exclude !== undefined && { exclude: options.exclude }),
      });
    },
  };
}
