// Node resolves this package's "." to the Node entry, so that entry must offer
// every name the platform-neutral one does, types included. Types leave no trace
// at run time, so the exports are read with the TypeScript compiler.
import { expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const file = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The names each entry exports, values and types alike. */
function exportsOf(entries: string[]): string[][] {
  const config = ts.getParsedCommandLineOfConfigFile(file('../tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  const program = ts.createProgram(entries, config?.options ?? {});
  const checker = program.getTypeChecker();
  return entries.map((entry) => {
    const source = program.getSourceFile(entry);
    const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (module === undefined) throw new Error(`${entry} is not a module`);
    return checker.getExportsOfModule(module).map((symbol) => symbol.name);
  });
}

test('the Node entry exports every name the platform-neutral entry exports', () => {
  const [main, node] = exportsOf([file('../src/index.ts'), file('../src/node/index.ts')]);
  expect(main.length).toBeGreaterThan(0);
  expect(main.filter((name) => !node.includes(name))).toEqual([]);
});
