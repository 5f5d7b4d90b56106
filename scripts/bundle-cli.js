// Bundles the CLI into dist/bundle/main.js: one module loads in a fraction of the time the ~40
// modules of dist/ take, which is most of a short audit's wall time. CommonJS dependencies
// inside the bundle get a real `require` for Node's built-in modules.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  // Code splitting keeps what only `pyaudit db …` needs out of the audit's start-up.
  splitting: true,
  outdir: 'dist/bundle',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  banner: {
    js:
      "import { createRequire as __pyauditCreateRequire } from 'node:module';\nconst require = __pyauditCreateRequire(import.meta.url);\n" +
      // CommonJS dependencies (the CycloneDX library) name their folder.
      "import { fileURLToPath as __pyauditFileUrlToPath } from 'node:url';\nconst __filename = __pyauditFileUrlToPath(import.meta.url);\nconst __dirname = __pyauditFileUrlToPath(new URL('.', import.meta.url));",
  },
  define: { __PYAUDIT_VERSION__: JSON.stringify(version) },
  // The CycloneDX library's optional validators (pyaudit only serializes): required inside a
  // try at run time, and absent from a user's install.
  external: ['ajv', 'ajv-formats', 'ajv-formats-draft2019', 'libxmljs2'],
  logLevel: 'warning',
});
