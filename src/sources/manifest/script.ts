/**
 * PEP 723 inline script metadata: a `# /// script` … `# ///` comment block of TOML in a
 * `.py` file, with `dependencies` (PEP 508) and `requires-python`.
 * https://peps.python.org/pep-0723/
 */
import { inputError } from '../../core/errors.js';
import { InvalidRequirementError, parseRequirement } from '../../standards/pep508.js';
import { parseTomlFile, strings } from '../lock/toml.js';
import type { DeclaredRequirement } from './declared.js';

const BLOCK = /^# \/\/\/ (?<type>[a-zA-Z0-9-]+)$\s(?<content>(^#(| .*)$\s)+)^# \/\/\/$/gm;

export function parseScriptMetadata(source: string, file: string): DeclaredRequirement[] {
  const blocks = [...source.matchAll(BLOCK)].filter((m) => m.groups?.type === 'script');
  if (blocks.length === 0)
    throw inputError('no PEP 723 `# /// script` metadata block in this file', file);
  if (blocks.length > 1)
    throw inputError('more than one `# /// script` block (PEP 723 allows one)', file);
  const block = blocks[0] as RegExpMatchArray;
  const startLine = source.slice(0, block.index).split('\n').length;
  const toml = (block.groups?.content ?? '')
    .split('\n')
    .map((l) => (l.startsWith('# ') ? l.slice(2) : l.slice(1)))
    .join('\n');
  const doc = parseTomlFile(toml, file, 'the script metadata block');
  return strings(doc.dependencies, {
    file,
    what: "the script's dependencies",
    line: startLine,
  }).map((text) => {
    const at = source.indexOf(text, block.index);
    const line = at < 0 ? startLine : source.slice(0, at).split('\n').length;
    try {
      return {
        requirement: parseRequirement(text),
        text,
        group: null,
        kind: 'main' as const,
        line,
      };
    } catch (e) {
      if (e instanceof InvalidRequirementError)
        throw inputError(`invalid requirement '${text}': ${e.reason}`, file, line);
      throw e;
    }
  });
}
