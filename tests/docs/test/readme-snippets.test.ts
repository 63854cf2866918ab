// Every ```ts block of the root README and of each package README is compiled
// as a module of its own, against the packages' sources, with the project's
// strict settings. A block that stops compiling fails here, naming its README
// and line, so the documentation cannot drift from the code.
import { describe, expect, test } from '@jest/globals';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = fileURLToPath(new URL('../.snippets/', import.meta.url));

interface Snippet {
  readme: string;
  line: number;
  file: string;
}

function snippetsOf(readme: string): Snippet[] {
  const lines = readFileSync(readme, 'utf8').split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    const name = `${relative(root, readme).replace(/[/.]/g, '_')}_${start + 1}.ts`;
    // `export {}` makes every block a module, so top-level await is allowed.
    writeFileSync(join(scratch, name), `${lines.slice(start, end).join('\n')}\nexport {};\n`);
    found.push({ readme: relative(root, readme), line: start, file: join(scratch, name) });
    i = end;
  }
  return found;
}

const readmes = [join(root, 'README.md'), ...readdirSync(join(root, 'packages')).map((dir) => join(root, 'packages', dir, 'README.md'))];
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
const snippets = readmes.flatMap(snippetsOf);

const program = ts.createProgram(
  snippets.map((snippet) => snippet.file),
  {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ['@cbor-rpc/source'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
  },
);

describe('README code blocks type-check', () => {
  test('there are blocks to check in the root README and in every package README', () => {
    for (const readme of readmes) expect(snippets.some((snippet) => snippet.readme === relative(root, readme))).toBe(true);
  });

  test.each(snippets.map((snippet) => [`${snippet.readme}:${snippet.line}`, snippet] as const))('%s', (_label, snippet) => {
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(snippet.file));
    const messages = diagnostics.map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + snippet.line : '?';
      return `${snippet.readme}:${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(messages).toEqual([]);
  });
});
