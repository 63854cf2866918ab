// Bundles the page's script for the browser (plain TypeScript, no framework)
// into dist/public/app.js, next to the server that serves it.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/page/app.ts'],
  outfile: 'dist/public/app.js',
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
