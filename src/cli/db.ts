/**
 * `pyaudit db …`: the offline vulnerability database.
 *
 * - `db update [--url URL]`   download OSV's PyPI dump (conditional: unchanged → not fetched)
 * - `db import SOURCE…`       import OSV records from zips, folder trees or files
 * - `db status`               what is in the database, from where, and how old it is
 * - `db serve`                an OSV-compatible API over it
 *
 * All take `--db-dir DIR`, else `PYAUDIT_DB_DIR`, else the configuration file's `db-dir` (as the
 * audit finds the file: `--config FILE`, `--no-config`), else the user cache directory.
 */
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { monotonicMs } from '../core/clock.js';
import { fromSystemError, PyauditError } from '../core/errors.js';
import { createHttpClient } from '../http/client.js';
import { reloadingDatabase } from '../serve/reload.js';
import { serveOsvApi } from '../serve/server.js';
import { VERSION } from '../version.js';
import {
  ageInDays,
  databaseSize,
  defaultDatabaseDir,
  openDatabase,
  readDatabaseHeader,
  writeRecords,
} from '../vulns/local/database.js';
import type { DatabaseSource } from '../vulns/local/format.js';
import { readSourcePacked, readZipPacked } from '../vulns/local/sources.js';
import type { CliIo } from './main.js';
import { configFileValue } from './options.js';

export const DEFAULT_DUMP_URL = 'https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip';

const DB_DIR_HELP =
  'the database directory (default: PYAUDIT_DB_DIR, else db-dir in the configuration file, else the user cache)';
const CONFIG_HELP =
  'take db-dir from this file instead of the nearest .pyaudit.toml or pyproject.toml [tool.pyaudit]';

/** The options that choose the database directory, on every `db` command. */
interface DbDirOptions {
  readonly dbDir?: string;
  readonly config?: string | false;
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function describeAge(days: number): string {
  if (days < 1 / 24) return 'less than an hour old';
  if (days < 1) return `${Math.round(days * 24)} hours old`;
  return `${Math.floor(days)} ${Math.floor(days) === 1 ? 'day' : 'days'} old`;
}

function progressBar(io: CliIo): {
  update(received: number, total: number | undefined): void;
  done(): void;
} {
  if (!io.stderr.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  return {
    update(received, total) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const mb = (received / 1048576).toFixed(1);
      if (total) {
        const share = received / total;
        const filled = Math.round(share * 30);
        io.stderr.write(
          `\r\u001b[2K[${'#'.repeat(filled)}${' '.repeat(30 - filled)}] ${Math.round(share * 100)}% ${mb} MiB`,
        );
      } else {
        io.stderr.write(`\r\u001b[2K${mb} MiB`);
      }
    },
    done: () => io.stderr.write('\r\u001b[2K'),
  };
}

function buildCommand(io: CliIo): Command {
  /** `--db-dir`, else `PYAUDIT_DB_DIR`, else the configuration file's `db-dir`, else the default. */
  const dbDir = (opts: DbDirOptions): string => {
    if (opts.dbDir !== undefined) return path.resolve(io.cwd, opts.dbDir);
    if (io.env.PYAUDIT_DB_DIR) return path.resolve(io.cwd, defaultDatabaseDir(io.env));
    const configured = configFileValue('db-dir', opts.config, io.cwd);
    return path.resolve(
      io.cwd,
      typeof configured === 'string' ? configured : defaultDatabaseDir(io.env),
    );
  };
  const out = (line: string): void => void io.stdout.write(`${line}\n`);
  const err = (line: string): void => void io.stderr.write(`${line}\n`);

  // `pyaudit` as the root, so that help says `Usage: pyaudit db …`.
  const program = new Command('pyaudit')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: () => undefined });
  const db = program
    .command('db')
    .description('manage the offline vulnerability database')
    .exitOverride();

  db.command('import')
    .description(
      'import OSV records from zip archives, folder trees of .json/.yaml records, or files',
    )
    .argument('<SOURCE...>', 'zip, folder or file')
    .option('--db-dir <DIR>', DB_DIR_HELP)
    .option('--config <FILE>', CONFIG_HELP)
    .option('--no-config', 'read no configuration file')
    .option('--replace', 'build the database from these sources only, dropping what it held', false)
    .exitOverride()
    .action(async (sources: string[], opts: DbDirOptions & { replace: boolean }) => {
      const dir = dbDir(opts);
      let replace = opts.replace;
      for (const source of sources) {
        const location = path.resolve(io.cwd, source);
        const started = monotonicMs();
        const read = await readSourcePacked(location);
        const result = await writeRecords(
          dir,
          read.records,
          {
            location,
            kind: read.kind,
            records: read.records.length,
            importedAt: new Date().toISOString(),
          },
          { replace },
        ).catch((e: unknown) => {
          throw fromSystemError(e, dir, 'cannot write the database');
        });
        replace = false;
        err(
          `Imported ${plural(read.records.length, 'PyPI record', 'PyPI records')} from ${source}` +
            `${read.otherEcosystems > 0 ? ` (${plural(read.otherEcosystems, 'record', 'records')} for other ecosystems left out)` : ''}` +
            `: ${result.changed} new or changed; the database holds ${plural(result.header.records, 'record', 'records')} ` +
            `for ${plural(result.header.packages, 'package', 'packages')} (${Math.round(monotonicMs() - started)} ms)`,
        );
      }
    });

  db.command('update')
    .description("download OSV's PyPI data into the database (skipped when unchanged)")
    .option('--url <URL>', 'the OSV dump to download', DEFAULT_DUMP_URL)
    .option('--db-dir <DIR>', DB_DIR_HELP)
    .option('--config <FILE>', CONFIG_HELP)
    .option('--no-config', 'read no configuration file')
    .option('--timeout <SECONDS>', 'give up on a server that does not answer', '60')
    .exitOverride()
    .action(async (opts: DbDirOptions & { url: string; timeout: string }) => {
      let scheme: string;
      try {
        scheme = new URL(opts.url).protocol;
      } catch {
        throw new PyauditError(
          'usage',
          `argument --url: invalid value: '${opts.url}' (expected an http:// or https:// URL)`,
        );
      }
      if (scheme !== 'http:' && scheme !== 'https:')
        throw new PyauditError(
          'usage',
          `argument --url: unsupported scheme '${scheme.slice(0, -1)}' (only http:// and https:// URLs; use db import for a local file)`,
        );
      const timeout = Number(opts.timeout);
      if (!/^\d+(\.\d+)?$/.test(opts.timeout) || timeout <= 0)
        throw new PyauditError(
          'usage',
          `argument --timeout: invalid value: '${opts.timeout}' (a positive number of seconds)`,
        );
      const dir = dbDir(opts);
      const header = await readDatabaseHeader(dir);
      const previous = header?.sources.find((s) => s.location === opts.url);
      const conditional: Record<string, string> = {};
      if (previous?.etag) conditional['if-none-match'] = previous.etag;
      if (previous?.lastModified) conditional['if-modified-since'] = previous.lastModified;
      const http = createHttpClient({
        timeoutSeconds: timeout,
        env: io.env,
        userAgent: `pyaudit/${VERSION}`,
      });
      const bar = progressBar(io);
      let response;
      try {
        response = await http.get(
          opts.url,
          { accept: 'application/zip, */*', ...conditional },
          bar.update,
        );
      } finally {
        bar.done();
        await http.close();
      }
      const header1 = (name: string): string | undefined => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const source = (records: number): DatabaseSource => ({
        location: opts.url,
        kind: 'download',
        records,
        importedAt: new Date().toISOString(),
        ...(header1('etag') !== undefined && { etag: header1('etag') as string }),
        ...(header1('last-modified') !== undefined && {
          lastModified: header1('last-modified') as string,
        }),
      });
      if (response.status === 304 && previous) {
        // Unchanged: keep the records, record that they were checked now.
        await writeRecords(dir, [], { ...previous, importedAt: new Date().toISOString() });
        err(`The database is up to date (${opts.url} has not changed); checked now.`);
        return;
      }
      if (response.status !== 200) {
        throw new PyauditError(
          'service',
          `HTTP ${response.status} while downloading the OSV dump`,
          { url: opts.url },
        );
      }
      const read = readZipPacked(response.body, opts.url);
      const result = await writeRecords(dir, read.records, source(read.records.length));
      err(
        `Downloaded ${plural(read.records.length, 'PyPI record', 'PyPI records')} (${(response.body.length / 1048576).toFixed(1)} MiB): ` +
          `${result.changed} new or changed; the database holds ${plural(result.header.records, 'record', 'records')}.`,
      );
    });

  db.command('status')
    .description('what the database holds, where from, and how old it is')
    .option('--db-dir <DIR>', DB_DIR_HELP)
    .option('--config <FILE>', CONFIG_HELP)
    .option('--no-config', 'read no configuration file')
    .option('--json', 'print it as one JSON object')
    .exitOverride()
    .action(async (opts: DbDirOptions & { json?: boolean }) => {
      const dir = dbDir(opts);
      const { header, file } = openDatabase(dir);
      if (opts.json) {
        out(
          JSON.stringify({
            path: file,
            format: header.format,
            checksum: header.checksum,
            size: await databaseSize(dir),
            records: header.records,
            packages: header.packages,
            built: header.built,
            age_days: Number(ageInDays(header).toFixed(3)),
            sources: header.sources.map((s) => ({
              location: s.location,
              kind: s.kind,
              records: s.records,
              imported_at: s.importedAt,
              ...(s.etag !== undefined && { etag: s.etag }),
              ...(s.lastModified !== undefined && { last_modified: s.lastModified }),
            })),
          }),
        );
        return;
      }
      out(`Database:  ${file}`);
      out(`Format:    ${header.format} (checksum ${header.checksum} verified)`);
      out(`Size:      ${((await databaseSize(dir)) / 1048576).toFixed(1)} MiB`);
      out(`Records:   ${header.records.toLocaleString('en-US')}`);
      out(`Packages:  ${header.packages.toLocaleString('en-US')}`);
      out(`Built:     ${header.built} (${describeAge(ageInDays(header))})`);
      out('Sources:');
      for (const s of header.sources)
        out(
          `  ${s.location} (${s.kind}, ${plural(s.records, 'record', 'records')}, ${s.importedAt})`,
        );
    });

  db.command('serve')
    .description(
      'serve an OSV-compatible API (POST /v1/query, /v1/querybatch; GET /v1/vulns/{id}) from the database',
    )
    .option('--db-dir <DIR>', DB_DIR_HELP)
    .option('--config <FILE>', CONFIG_HELP)
    .option('--no-config', 'read no configuration file')
    .option('--host <ADDRESS>', 'the address to bind', '127.0.0.1')
    .option('--port <PORT>', 'the port (0 picks a free one)', '8080')
    .option('--page-size <N>', 'records or ids per query and page before next_page_token', '1000')
    .option('--max-body <BYTES>', 'the largest request body accepted', String(4 * 1024 * 1024))
    .option('-q, --quiet', 'no request log', false)
    .exitOverride()
    .action(
      async (
        opts: DbDirOptions & {
          host: string;
          port: string;
          pageSize: string;
          maxBody: string;
          quiet: boolean;
        },
      ) => {
        const number = (flag: string, value: string, min: number): number => {
          const n = Number(value);
          if (!Number.isInteger(n) || n < min)
            throw new PyauditError('usage', `argument ${flag}: invalid value: '${value}'`);
          return n;
        };
        const port = number('--port', opts.port, 0);
        if (port > 65535)
          throw new PyauditError('usage', `argument --port: invalid value: '${opts.port}'`);
        const dir = dbDir(opts);
        const database = reloadingDatabase(dir, openDatabase(dir), err);
        const { header } = database.current();
        const running = await serveOsvApi(database.store, {
          health: () => ({ built: database.current().header.built }),
          host: opts.host,
          port,
          pageSize: number('--page-size', opts.pageSize, 1),
          maxBodyBytes: number('--max-body', opts.maxBody, 1),
          ...(!opts.quiet && {
            onRequest: (e) =>
              err(
                `${new Date().toISOString()} ${e.method} ${e.path} ${e.status} ${e.ms.toFixed(1)} ms${e.queries !== undefined ? ` (${e.queries} queries)` : ''}`,
              ),
          }),
        }).catch((e: unknown) => {
          database.stop();
          const listening = fromSystemError(e, `${opts.host}:${port}`, 'cannot listen');
          if (listening instanceof PyauditError)
            throw new PyauditError('usage', listening.reason, listening.location);
          throw e;
        });
        err(
          `Serving ${plural(header.records, 'record', 'records')} (built ${header.built}) at ${running.url}`,
        );
        await new Promise<void>((resolve) => {
          const stop = (signal: string): void => {
            err(`${signal}: finishing requests in flight, then stopping`);
            database.stop();
            void running.stop().then(resolve);
          };
          process.once('SIGTERM', () => stop('SIGTERM'));
          process.once('SIGINT', () => stop('SIGINT'));
        });
      },
    );

  return program;
}

/** Runs `pyaudit db …` (argv without the leading `db`); resolves to the exit code. */
export async function dbMain(argv: readonly string[], io: CliIo): Promise<number> {
  const command = buildCommand(io);
  if (argv.length === 0) {
    io.stderr.write(
      'pyaudit: error: db needs a command: update, import, status or serve (see pyaudit db --help)\n',
    );
    return 2;
  }
  try {
    await command.parseAsync(['db', ...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.help' ||
        error.exitCode === 0
      )
        return 0;
      io.stderr.write(`pyaudit: error: ${error.message.replace(/^error: /, '')}\n`);
      return 2;
    }
    const converted = fromSystemError(error);
    if (converted instanceof PyauditError) {
      io.stderr.write(`pyaudit: error: ${converted.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    io.stderr.write(`pyaudit: internal error: ${(error as Error).message}\n`);
    return 2;
  }
}
