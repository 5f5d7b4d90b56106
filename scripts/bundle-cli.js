// Bundles the CLI into dist/cli.js: one module loads in a fraction of the time the ~40
// modules of dist/ take, which is most of a short audit's wall time. CommonJS dependencies
// inside the bundle get a real `require` for Node's built-in modules.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  outfile: 'dist/cli.js',
  banner: {
    js: "import { createRequire as __pyauditCreateRequire } from 'node:module';\nconst require = __pyauditCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
