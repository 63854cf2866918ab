// What a browser app ships: the built packages bundled by esbuild for the
// browser (no Node built-in may be pulled in, or the bundle fails), minified
// and gzipped. The sizes are printed for the README; the budget only catches
// something big (a Node polyfill, a second copy of cbor2) sneaking in.
import { expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { assertBuilt } from '@cbor-rpc/test-support/built';
import { bundleForBrowser } from '@cbor-rpc/test-support/browser';

const app = (file: string) => fileURLToPath(new URL(`./page/${file}`, import.meta.url));

test.each([
  ['core + rpc + transform-cbor + websocket', 'bundle-app.ts', 120_000],
  ['core + rpc + transform-json + websocket', 'bundle-app-json.ts', 100_000],
])('%s bundles for the browser from the built packages', async (label, file, budget) => {
  assertBuilt('core', 'rpc', 'transform-cbor', 'transform-json', 'websocket');
  const code = await bundleForBrowser(app(file), { minify: true, fromSource: false });
  expect(code).not.toMatch(/from\s*["']node:|require\(["']node:|["']ws["']/);
  const minified = Buffer.byteLength(code);
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(`${label}: ${(minified / 1024).toFixed(1)} KiB minified, ${(gzipped / 1024).toFixed(1)} KiB gzipped`);
  expect(minified).toBeLessThan(budget);
});
