/**
 * One value per option, from the first layer that has it: the command line, then environment
 * variables, then the configuration file, then the option's default. Each value keeps where it
 * came from, for `pyaudit config show` and for errors about it.
 */
import type { Command } from 'commander';
import { PyauditError } from '../core/errors.js';
import type { ConfigValues } from './values.js';
import { parseOptionValue, type OptionSpec } from './schema.js';

export type ValueSource =
  | { readonly kind: 'flag' }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'file'; readonly file: string; readonly line?: number }
  | { readonly kind: 'default' };

/** The environment variables of one option. */
export interface EnvBinding {
  /** In precedence order: the first one set wins. */
  readonly names: readonly string[];
  /** The option's value for the variable's text; by default the text (in a list for lists). */
  readonly parse?: (text: string) => unknown;
}

export interface Setting {
  readonly spec: OptionSpec;
  /** As the option parser holds it (`deps: false` for `--no-deps`). */
  readonly value: unknown;
  readonly source: ValueSource;
}

const TRUE = /^(1|true|on|yes)$/i;

function envValue(spec: OptionSpec, binding: EnvBinding, text: string): unknown {
  if (binding.parse) return binding.parse(text);
  switch (spec.kind) {
    case 'flag':
      return TRUE.test(text);
    case 'negated':
      return !TRUE.test(text);
    case 'count':
      return TRUE.test(text) ? 1 : 0;
    case 'list':
      return parseOptionValue(spec, [text]);
    default:
      return parseOptionValue(spec, text);
  }
}

/** Fills `command`'s option values from the lower layers; returns every option's setting. */
export function applyLayers(
  command: Command,
  specs: readonly OptionSpec[],
  env: Readonly<Record<string, string | undefined>>,
  bindings: Readonly<Record<string, EnvBinding>>,
  config: ConfigValues | undefined,
): Setting[] {
  return specs.map((spec): Setting => {
    const { attribute } = spec;
    const setting = (source: ValueSource): Setting => ({
      spec,
      value: command.getOptionValue(attribute),
      source,
    });
    if (command.getOptionValueSource(attribute) === 'cli') return setting({ kind: 'flag' });
    const binding = bindings[spec.key];
    const name = binding?.names.find((n) => env[n] !== undefined);
    if (binding && name !== undefined) {
      let value: unknown;
      try {
        value = envValue(spec, binding, env[name] as string);
      } catch (e) {
        // The option's own parser refused the value (commander's InvalidArgumentError).
        throw new PyauditError(
          'usage',
          `${name}: argument ${spec.display}: ${(e as Error).message.replace(/^error: /, '')}`,
        );
      }
      command.setOptionValueWithSource(attribute, value, 'env');
      return setting({ kind: 'env', name });
    }
    const fromFile = config?.values.get(spec.key);
    if (config && fromFile) {
      command.setOptionValueWithSource(attribute, fromFile.value, 'config');
      return setting({
        kind: 'file',
        file: config.file.display,
        ...(fromFile.line !== undefined && { line: fromFile.line }),
      });
    }
    return setting({ kind: 'default' });
  });
}

export function describeSource(source: ValueSource): string {
  switch (source.kind) {
    case 'flag':
      return 'flag';
    case 'env':
      return source.name;
    case 'file':
      return source.line !== undefined ? `${source.file}:${source.line}` : source.file;
    case 'default':
      return 'default';
  }
}
