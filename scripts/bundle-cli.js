// Bundles the CLI into one CommonJS file, dist/bundle/main.cjs, which bin/pyaudit.js runs
// through dist/bundle/launch.cjs (src/cli/launch.ts) with V8's code cache. One file loads in a
// fraction of the time the ~40 modules of dist/ take, and CommonJS is what V8's code cache can
// hold on Node 20 (ES modules get it only from Node 22). What only some runs need (the `db`
// tools, CycloneDX) is initialized on first use, and the code cache holds only what was
// compiled, so it costs no start-up time.
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/**
 * Node's modules that a run may not need (a warm audit of a requirements file spawns no process,
 * inflates nothing, hashes nothing) load on first use: each costs 1-5 ms of start-up. The bundle
 * requires each through an object whose properties load the module when first read. The others
 * (fs, path, events…) are loaded by Node's own start-up anyway.
 */
const LAZY_BUILTINS = [
  'child_process',
  'crypto',
  'dgram',
  'dns',
  'http',
  'https',
  'http2',
  'net',
  'os',
  'perf_hooks',
  'readline',
  'tls',
  'v8',
  'worker_threads',
  'zlib',
];
const nodeRequire = createRequire(import.meta.url);
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(plugin) {
    const filter = new RegExp(`^(?:node:)?(?:${LAZY_BUILTINS.join('|')})$`);
    plugin.onResolve({ filter }, (args) =>
      // The proxy's own require is Node's.
      args.namespace === 'lazy-builtin'
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
    );
    plugin.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, ({ path: id }) => {
      const keys = Object.keys(nodeRequire(`node:${id}`)).filter((key) => key !== 'default');
      return {
        loader: 'js',
        contents:
          `let loaded;\nconst load = () => (loaded ??= require(${JSON.stringify(`node:${id}`)}));\n` +
          `for (const key of ${JSON.stringify(keys)})\n` +
          '  Object.defineProperty(module.exports, key, { enumerable: true, get: () => load()[key] });\n',
      };
    });
  },
};

rmSync(new URL('../dist/bundle', import.meta.url), { recursive: true, force: true });
// The launcher, one small CommonJS file that bin/pyaudit.js requires (an ES module would cost
// the ES loader's work for each of its imports).
await build({
  entryPoints: ['src/cli/launch.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20.19',
  outfile: 'dist/bundle/launch.cjs',
  logLevel: 'warning',
});
await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20.19',
  outfile: 'dist/bundle/main.cjs',
  // ASCII only (the launcher decodes it as Latin-1).
  charset: 'ascii',
  minifyWhitespace: true,
  // `import.meta.url` (used to find package.json and to require optional modules) is this file.
  banner: {
    js: "const __pyauditImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
  },
  define: {
    __PYAUDIT_VERSION__: JSON.stringify(version),
    'import.meta.url': '__pyauditImportMetaUrl',
  },
  // The CycloneDX library (about 1 MB) is required from node_modules when a CycloneDX report is
  // asked for; its optional validators are never used (pyaudit only serializes).
  external: [
    '@cyclonedx/cyclonedx-library',
    'ajv',
    'ajv-formats',
    'ajv-formats-draft2019',
    'libxmljs2',
  ],
  plugins: [lazyBuiltins],
  logLevel: 'warning',
});
