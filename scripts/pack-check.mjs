// Checks the packages as they are shipped, outside the workspace: packs each
// one, lints the tarballs (publint, are-the-types-wrong), dry-runs the publish
// of each tarball (what the registry would say), installs a few with
// plain npm into a fresh directory and runs an ESM app, a CommonJS app and a
// TypeScript type check against them, then installs the command line
// (@cbor-rpc/cli) as npm and npx do and makes a real call with it. Fails
// loudly on any problem.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { workspacePackages } from './workspace.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const execFileAsync = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'cbor-rpc-pack-'));
const tarballs = join(work, 'tarballs');
let failures = 0;

function run(label, command, args, options = {}) {
  try {
    const output = execFileSync(command, args, { encoding: 'utf8', stdio: 'pipe', ...options });
    console.log(`ok   ${label}`);
    return output;
  } catch (error) {
    failures++;
    console.log(`FAIL ${label}\n${error.stdout ?? ''}${error.stderr ?? ''}${error.stdout || error.stderr ? '' : error.message}`);
    return '';
  }
}

function check(label, condition, detail = '') {
  if (condition) console.log(`ok   ${label}`);
  else {
    failures++;
    console.log(`FAIL ${label} ${detail}`);
  }
}

// 1. Pack every published package and lint what is in each tarball.
const workspace = workspacePackages(root);
const packages = workspace.filter((m) => m.path.startsWith('packages/') && !m.private).map((m) => basename(m.path));
// Private workspace packages (test support, examples, benchmarks) are never on the registry.
const unpublished = new Set(workspace.filter((m) => m.private).map((m) => m.name));
/** The workspace's TypeScript compiler. */
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
/** Each package as packed, by directory name: its tarball's path, file list and package.json, read once here and used again below. */
const packed = {};
for (const dir of packages) {
  const cwd = join(root, 'packages', dir);
  run(`pack ${dir}`, bin('pnpm'), ['pack', '--pack-destination', tarballs], { cwd });
  const tarball = join(
    tarballs,
    readdirSync(tarballs).find((file) => file.startsWith(`cbor-rpc-${dir}-`)),
  );
  const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' });
  const manifest = JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  packed[dir] = { tarball, listing, manifest };
  check(
    `${dir}: tarball has README, LICENSE, dist and no tests`,
    ['package/README.md', 'package/LICENSE', 'package/dist/index.js', 'package/dist/index.d.ts'].every((f) => listing.includes(f)) &&
      !/\.test\.ts|\/test\//.test(listing),
  );
  check(`${dir}: published exports have no source condition`, !JSON.stringify(manifest.exports).includes('@cbor-rpc/source'));
  const declared = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies, ...manifest.devDependencies };
  check(`${dir}: no workspace: ranges`, !JSON.stringify(declared).includes('workspace:'));
  check(
    `${dir}: no unpublished package among its dependencies of any kind`,
    Object.keys(declared).every((name) => !unpublished.has(name)),
  );
  run(`publint ${dir}`, bin('publint'), ['run', tarball, '--strict']);
  attw(dir);
}
await publishDryRuns();

/**
 * The publish of these very tarballs, dry: `changeset publish` runs `pnpm publish`,
 * which packs as `pnpm pack` did above and hands the tarball to `npm publish`
 * (as `pnpm publish <tarball>` would too; calling npm directly saves a process).
 * npm checks what packing does not: the dist-tag, and against the registry
 * that the version is not published yet and that no higher one holds `latest`.
 * A version already on the registry is skipped, as `changeset publish` skips it.
 * Publishing a tarball runs no lifecycle scripts, so the publish-time ones that
 * `pnpm publish` would run from the directory must not exist.
 */
async function publishDryRuns() {
  // From the root, so that npm reads the workspace's .npmrc, as pnpm makes it do when it publishes.
  const dryRun = (dir) =>
    execFileAsync('npm', ['publish', packed[dir].tarball, '--dry-run'], { cwd: root, encoding: 'utf8' }).then(
      ({ stdout }) => ({ stdout }),
      (error) => ({ error }),
    );
  // All at once: each is mostly npm starting up and waiting for the registry.
  const outcomes = await Promise.all(packages.map(dryRun));
  packages.forEach((dir, index) => {
    const { name, version } = packed[dir].manifest;
    const { scripts = {} } = workspace.find((m) => m.path === `packages/${dir}`);
    const publishScripts = ['prepublishOnly', 'prepublish', 'publish', 'postpublish'].filter((script) => script in scripts);
    check(`${dir}: no publish-time lifecycle scripts (publishing the tarball would not run them)`, publishScripts.length === 0, publishScripts.join(', '));
    const { stdout, error } = outcomes[index];
    const said = error === undefined ? stdout : `${error.stdout ?? ''}${error.stderr ?? ''}` || error.message;
    if (error !== undefined && said.includes('You cannot publish over the previously published versions')) {
      console.log(`ok   publish dry run: ${name}@${version} is on the registry already, so publishing skips it`);
    } else {
      check(`publish dry run of ${name}@${version}`, error === undefined && stdout.includes(`+ ${name}@${version}`), said);
    }
  });
}

/**
 * are-the-types-wrong with its default profile. The packages are ESM only by
 * design, so two findings are expected and nothing else is allowed:
 * - NoResolution under node10: TypeScript's legacy `moduleResolution: node`
 *   ignores `exports`; use node16, nodenext or bundler.
 * - CJSResolvesToESM under node16 from CommonJS: Node 20.19+ `require()`s ESM
 *   at run time, but TypeScript reports TS1479 for a CommonJS file under
 *   `module: node16`; `module: nodenext` on TypeScript 5.8 or newer models it.
 */
function attw(dir) {
  const expected = new Set(['NoResolution node10', 'CJSResolvesToESM node16-cjs']);
  let report;
  try {
    report = JSON.parse(execFileSync(bin('attw'), [packed[dir].tarball, '--format', 'json'], { encoding: 'utf8', stdio: 'pipe' }));
  } catch (error) {
    // attw exits 1 when it found problems; its report is still on stdout.
    report = JSON.parse(error.stdout);
  }
  const found = report.analysis.problems.map((problem) => `${problem.kind} ${problem.resolutionKind ?? ''}`.trim());
  const unexpected = [...new Set(found.filter((kind) => !expected.has(kind)))];
  check(`attw ${dir} (default profile): only the expected ESM-only findings`, unexpected.length === 0, unexpected.join(', '));
}

// 2. A fresh app that installs only what a TCP client and server need.
const app = join(work, 'app');
mkdirSync(app);
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, version: '1.0.0' }));
const wanted = ['core', 'rpc', 'tcp', 'transform-cbor'].map((dir) => packed[dir].tarball);
run('npm install of core, rpc, tcp and transform-cbor', 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...wanted, '@types/node@20'], {
  cwd: app,
});
check('dependency isolation: no ssh2 in node_modules', !existsSync(join(app, 'node_modules', 'ssh2')));
check('dependency isolation: no transform-json in node_modules', !existsSync(join(app, 'node_modules', '@cbor-rpc', 'transform-json')));
check("dependency isolation: no ws (the WebSocket package's) in node_modules", !existsSync(join(app, 'node_modules', 'ws')));

const program = (load) => `${load}
async function main() {
  const server = await TcpServer.create('127.0.0.1', 0);
  const rpcServer = RpcV1Server.fromHandlers({ add: (_context, a, b) => a + b });
  server.on('connection', (pipe) => rpcServer.addConnection('client', new CborStreamTransformer().applyTransformer(pipe)));
  const pipe = await TcpPipe.createConnection('127.0.0.1', server.getAddress().port);
  const client = RpcV1.fromHandlers(new CborStreamTransformer().applyTransformer(pipe), {});
  const sum = await client.callMethod('add', 5, 10);
  await client.terminate();
  await server.stop();
  if (sum !== 15) throw new Error('expected 15, got ' + sum);
  console.log('sum', sum);
}
main().catch((error) => { console.error(error); process.exit(1); });
`;
writeFileSync(
  join(app, 'esm.mjs'),
  program(`import { RpcV1, RpcV1Server } from '@cbor-rpc/rpc';
import { TcpPipe, TcpServer } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';`),
);
writeFileSync(
  join(app, 'cjs.cjs'),
  program(`const { RpcV1, RpcV1Server } = require('@cbor-rpc/rpc');
const { TcpPipe, TcpServer } = require('@cbor-rpc/tcp');
const { CborStreamTransformer } = require('@cbor-rpc/transform-cbor');`),
);
check('ESM app makes a real call over TCP', run('run esm.mjs', process.execPath, ['esm.mjs'], { cwd: app }).includes('sum 15'));
check(
  'CommonJS app require()s the packages and makes the call',
  run('run cjs.cjs', process.execPath, ['--no-warnings', 'cjs.cjs'], { cwd: app }).includes('sum 15'),
);

// 3. A TypeScript consumer type-checks against the packed declarations.
writeFileSync(
  join(app, 'consumer.ts'),
  `import { RpcV1, type RpcCallContext } from '@cbor-rpc/rpc';
import { TcpPipe } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { ConnectionClosedError, type EventPipe } from '@cbor-rpc/core';
import { StreamPipe } from '@cbor-rpc/core/node';

interface Calc { add(a: number, b: number): number }

export async function sum(port: number): Promise<number> {
  const pipe: StreamPipe = await TcpPipe.createConnection('127.0.0.1', port);
  const messages: EventPipe<unknown, unknown> = new CborStreamTransformer().applyTransformer(pipe);
  const rpc = RpcV1.fromHandlers(messages, { ping: (_context: RpcCallContext) => 'pong' });
  const api = rpc.proxy<Calc>();
  try {
    return await api.add(5, 10);
  } catch (error) {
    if (ConnectionClosedError.isInstance(error)) return -1;
    throw error;
  }
}
`,
);
writeFileSync(
  join(app, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
    files: ['consumer.ts'],
  }),
);
run('TypeScript consumer type-checks with moduleResolution nodenext', process.execPath, [tsc, '-p', app]);

// TypeScript 5.4 is the oldest version the declarations support (they use NoInfer): the same consumer with it.
const oldTsc = join(work, 'typescript-5.4');
run('install TypeScript 5.4', 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', oldTsc, 'typescript@5.4'], { cwd: work });
// An ES module: TypeScript models Node's require() of ESM from CommonJS only from 5.8 (module nodenext).
writeFileSync(join(app, 'consumer.mts'), readFileSync(join(app, 'consumer.ts')));
writeFileSync(
  join(app, 'tsconfig.ts54.json'),
  JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
    files: ['consumer.mts'],
  }),
);
run('TypeScript consumer (an ES module) type-checks with TypeScript 5.4, the minimum', process.execPath, [
  join(oldTsc, 'node_modules', 'typescript', 'bin', 'tsc'),
  '-p',
  join(app, 'tsconfig.ts54.json'),
]);

// 3b. A pnpm consumer that installs only rpc, tcp and transform-cbor (core comes
// along, but pnpm does not hoist it) and emits declarations: a function whose
// inferred type is a core type must still be nameable (no TS2742).
const pnpmApp = join(work, 'pnpm-app');
mkdirSync(pnpmApp);
writeFileSync(
  join(pnpmApp, 'package.json'),
  JSON.stringify({
    name: 'pnpm-app',
    private: true,
    version: '1.0.0',
    dependencies: {
      ...Object.fromEntries(['rpc', 'tcp', 'transform-cbor'].map((dir) => [`@cbor-rpc/${dir}`, `file:${packed[dir].tarball}`])),
      '@types/node': '^20',
    },
    pnpm: { overrides: { '@cbor-rpc/core': `file:${packed.core.tarball}` } },
  }),
);
run('pnpm install of rpc, tcp and transform-cbor only', bin('pnpm'), ['install', '--config.confirmModulesPurge=false', '--reporter=silent'], { cwd: pnpmApp });
check('pnpm consumer: core is not hoisted to its node_modules', !existsSync(join(pnpmApp, 'node_modules', '@cbor-rpc', 'core')));
writeFileSync(
  join(pnpmApp, 'client.ts'),
  `import { RpcV1 } from '@cbor-rpc/rpc';
import { TcpPipe } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';

export async function messages(port: number) {
  return new CborStreamTransformer().applyTransformer(await TcpPipe.createConnection('127.0.0.1', port));
}

export async function client(port: number) {
  const rpc = RpcV1.readOnlyClient(await messages(port));
  return { rpc, closed: () => rpc.closed };
}
`,
);
writeFileSync(
  join(pnpmApp, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      strict: true,
      declaration: true,
      emitDeclarationOnly: true,
      outDir: 'out',
      skipLibCheck: false,
      types: ['node'],
    },
    files: ['client.ts'],
  }),
);
run('pnpm consumer emits declarations for functions returning core types (no TS2742)', process.execPath, [tsc, '-p', pnpmApp]);
// TypeScript 6 emits a path into pnpm's store where 5.x reported TS2742: both are the same failure.
const emitted = existsSync(join(pnpmApp, 'out', 'client.d.ts')) ? readFileSync(join(pnpmApp, 'out', 'client.d.ts'), 'utf8') : '';
check(
  'pnpm consumer: the emitted declarations name core types through the packages it installed',
  emitted.includes('messages') && !emitted.includes('.pnpm/'),
  emitted,
);

// 3c. A browser project: DOM lib, no Node types, strict library checking.
writeFileSync(
  join(app, 'browser.ts'),
  `import { EventPipe } from '@cbor-rpc/core';
import { RpcV1 } from '@cbor-rpc/rpc';
import { CborTransformer } from '@cbor-rpc/transform-cbor';

export function connect(pipe: EventPipe<Uint8Array, Uint8Array>): RpcV1 {
  return RpcV1.readOnlyClient(new CborTransformer().applyTransformer(pipe));
}
`,
);
writeFileSync(
  join(app, 'tsconfig.browser.json'),
  JSON.stringify({
    compilerOptions: {
      module: 'esnext',
      moduleResolution: 'bundler',
      target: 'es2022',
      lib: ['ES2022', 'DOM'],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
    },
    files: ['browser.ts'],
  }),
);
run('a browser project (lib ES2022 + DOM, no Node types, skipLibCheck false) type-checks', process.execPath, [tsc, '-p', join(app, 'tsconfig.browser.json')]);

// 4. The command line as users get it: the packed cli and the packed packages it
// depends on (the registry does not have these versions: websocket among them,
// for ws:// and wss:// targets), with nothing else.
const cliTarballs = [
  packed.cli.tarball,
  ...Object.keys(packed.cli.manifest.dependencies)
    .filter((name) => name.startsWith('@cbor-rpc/'))
    .map((name) => packed[name.slice('@cbor-rpc/'.length)].tarball),
];
check('cli: the tarball has its bin script', packed.cli.listing.includes('package/bin/cbor-rpc.js'));
const shell = join(work, 'shell');
mkdirSync(shell);
writeFileSync(join(shell, 'package.json'), JSON.stringify({ name: 'shell', private: true, version: '1.0.0' }));
run('npm install of the packed cli and its sibling packages', 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...cliTarballs], {
  cwd: shell,
});
const cborRpc = join(shell, 'node_modules', '.bin', 'cbor-rpc');
check('cbor-rpc --help', run('run cbor-rpc --help', cborRpc, ['--help'], { cwd: shell }).includes('Usage: cbor-rpc [options] [command]'));
// A real call: cbor-rpc serving a TypeScript module on stdio, called by cbor-rpc.
writeFileSync(join(shell, 'calc.ts'), 'export function add(_context: unknown, a: number, b: number): number {\n  return a + b;\n}\n');
const served = [cborRpc, 'serve', 'calc.ts', '--listen', 'stdio'];
check(
  'cbor-rpc call add 5 10 -- cbor-rpc serve calc.ts --listen stdio prints 15',
  run('cbor-rpc call against cbor-rpc serve', cborRpc, ['call', 'add', '5', '10', '--', ...served], { cwd: shell }) === '15\n',
);
// Over WebSocket: the packed websocket package and its ws dependency, a server and a client process.
check(
  'cli: installed with the packed websocket package',
  cliTarballs.includes(packed.websocket.tarball) && existsSync(join(shell, 'node_modules', '@cbor-rpc', 'websocket', 'package.json')),
);
const wsServer = spawn(cborRpc, ['serve', 'calc.ts', '--listen', 'ws://127.0.0.1:0/rpc'], { cwd: shell, stdio: ['ignore', 'ignore', 'pipe'] });
const wsUrl = await new Promise((resolve) => {
  let printed = '';
  // A bound, not a measure: the server prints its address as soon as it listens.
  const giveUp = setTimeout(() => resolve(undefined), 60_000);
  wsServer.stderr.setEncoding('utf8').on('data', (text) => {
    printed += text;
    const serving = /^serving .* on (ws:\/\/\S+) /m.exec(printed);
    if (serving !== null) {
      clearTimeout(giveUp);
      resolve(serving[1]);
    }
  });
  wsServer.once('exit', () => {
    clearTimeout(giveUp);
    resolve(undefined);
  });
});
check('cbor-rpc serve calc.ts --listen ws://127.0.0.1:0/rpc listens', wsUrl !== undefined);
if (wsUrl !== undefined)
  check(
    'cbor-rpc call over ws:// against it prints 15',
    run('cbor-rpc call over WebSocket', cborRpc, ['call', wsUrl, 'add', '5', '10'], { cwd: shell }) === '15\n',
  );
wsServer.kill('SIGTERM');
// npx: the packages fetched into npx's cache, run from a directory with no package.json.
const npxDir = join(work, 'npx');
mkdirSync(npxDir);
const npxCall = ['cbor-rpc', 'call', 'add', '1', '2', '--', 'cbor-rpc', 'serve', join(shell, 'calc.ts'), '--listen', 'stdio'];
const npx = run(
  'npm exec (npx) of the packed cli',
  'npm',
  ['exec', '--yes', '--loglevel=error', ...cliTarballs.map((file) => `--package=${file}`), '--', ...npxCall],
  { cwd: npxDir },
);
check('npx cbor-rpc makes the same call', npx === '3\n', npx);

if (!process.env.CBOR_RPC_KEEP_PACK) rmSync(work, { recursive: true, force: true });
if (failures > 0) {
  console.log(`pack check: ${failures} problem(s)`);
  process.exit(1);
}
console.log('pack check: every package packs, lints, installs and works outside the workspace');
