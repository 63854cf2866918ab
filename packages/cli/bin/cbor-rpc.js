#!/usr/bin/env node
// The `cbor-rpc` command. Plain JavaScript that loads the built program, so
// that the file exists as soon as the package is installed (pnpm links bins
// of workspace packages before anything is built).
import { main } from '../dist/index.js';

const code = await main(process.argv.slice(2));
// Everything written has left before the exit, which ends whatever still runs.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
process.exit(code);
