/**
 * The requirements-file dependency source (`-r FILE`, repeatable; `-` is standard input).
 */
import type { DependencySource } from '../../core/dependency.js';
import {
  collectRequirements,
  type RequirementsCollectOptions,
  type RequirementsCollectResult,
} from './collect.js';

export { collectRequirements, type ReadFile, type RequirementsCollectOptions } from './collect.js';
export {
  parseRequirementsText,
  type ParsedRequirementsFile,
  type RequirementEntry,
} from './parse.js';

export function requirementsSource(
  files: readonly string[],
  options: RequirementsCollectOptions,
): DependencySource & { collect(): Promise<RequirementsCollectResult> } {
  return {
    description: files.join(', '),
    collect: () => collectRequirements(files, options),
  };
}
