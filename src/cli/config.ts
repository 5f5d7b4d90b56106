/**
 * `pyaudit config show [OPTIONS]`: prints the configuration an audit with these options would
 * use, each value with where it came from (flag, environment variable, file:line, default).
 */
import { renderEffectiveConfig } from '../config/show.js';
import { PyauditError } from '../core/errors.js';
import { VERSION } from '../version.js';
import type { CliIo } from './main.js';
import { parseCommandLine } from './options.js';

const HELP = `Usage: pyaudit config show [OPTIONS]

Print the effective configuration: every option as a .pyaudit.toml key with its value, and
where the value came from (flag, environment variable, file:line, or default). OPTIONS are
pyaudit's own options (pyaudit --help), including --config FILE and --no-config.

Configuration files: .pyaudit.toml, or [tool.pyaudit] in pyproject.toml, the nearest one from
the current directory up to the repository root. Precedence: flags, then environment
variables, then the file, then defaults.
`;

export async function configMain(argv: readonly string[], io: CliIo): Promise<number> {
  await Promise.resolve();
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help') {
    (argv.length === 0 ? io.stderr : io.stdout).write(
      argv.length === 0
        ? 'pyaudit: error: config needs a command: show (see pyaudit config --help)\n'
        : HELP,
    );
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] !== 'show') {
    io.stderr.write(
      `pyaudit: error: unknown config command '${argv[0]}' (expected show; see pyaudit config --help)\n`,
    );
    return 2;
  }
  const rest = argv.slice(1);
  if (rest.includes('-h') || rest.includes('--help')) {
    io.stdout.write(HELP);
    return 0;
  }
  try {
    const parsed = parseCommandLine(rest, io.env, VERSION, { cwd: io.cwd });
    if (parsed.kind === 'exit') {
      io.stdout.write(parsed.stdout);
      return parsed.code;
    }
    io.stdout.write(
      renderEffectiveConfig(parsed.layers.settings, parsed.layers.ignore, parsed.layers.configFile),
    );
    return 0;
  } catch (error) {
    if (error instanceof PyauditError) {
      io.stderr.write(`pyaudit: error: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    throw error;
  }
}
