#!/usr/bin/env node
import { main } from './main.js';

const code = await main(process.argv.slice(2));
// Everything written has left before the exit, which ends whatever still runs.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
process.exit(code);
