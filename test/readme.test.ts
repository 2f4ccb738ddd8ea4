/**
 * Runs every complete README example (fenced as ```ts; ```typescript blocks
 * are fragments) and compares what it prints with what its comments say.
 *
 * Convention for the README: a `// …` comment that trails a statement which
 * calls `console.log` is that call's output, exactly the line it prints
 * (prose goes on a comment line of its own). The comment is found with the
 * TypeScript parser, not by text search, so `//` inside a string or a URL is
 * never taken for one. Each documented line must be printed (as many times
 * as it is documented); other printed lines, such as a listener's log, may
 * come between them. Order is not compared: a callback's comment sits where
 * the callback is written, not where its line is printed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync, transformSync } from 'esbuild';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] as string);
const entry = join(root, 'src/index.ts');
const inspectorEntry = join(root, 'src/inspector.ts');

const isConsoleLog = (node: ts.Node): boolean =>
  ts.isCallExpression(node) &&
  ts.isPropertyAccessExpression(node.expression) &&
  node.expression.getText() === 'console.log';

/** The outputs an example documents: the trailing `//` comment of each statement that calls console.log. */
function documentedOutputs(code: string): string[] {
  const source = ts.createSourceFile('example.ts', code, ts.ScriptTarget.Latest, true);
  const statements = new Set<ts.Statement>();
  const visit = (node: ts.Node): void => {
    if (isConsoleLog(node)) {
      let statement: ts.Node = node;
      while (!ts.isExpressionStatement(statement) && !ts.isSourceFile(statement)) statement = statement.parent;
      statements.add(statement as ts.Statement);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...statements]
    .sort((a, b) => a.end - b.end)
    .flatMap((statement) =>
      (ts.getTrailingCommentRanges(code, statement.end) ?? [])
        .filter((range) => range.kind === ts.SyntaxKind.SingleLineCommentTrivia)
        .map((range) => code.slice(range.pos + 2, range.end).trim()),
    );
}

/** The documented lines that `printed` lacks, counting repeats. */
function missing(printed: readonly string[], documented: readonly string[]): string[] {
  const left = [...printed];
  return documented.filter((line) => {
    const at = left.indexOf(line);
    if (at >= 0) left.splice(at, 1);
    return at < 0;
  });
}

/**
 * Where the library is bundled once for the examples: under the project's
 * `node_modules`, so that the bundle finds its dependencies there.
 */
let bundleDir = '';

beforeAll(() => {
  mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
  bundleDir = mkdtempSync(join(root, 'node_modules/.cache/readme-'));
  buildSync({
    entryPoints: [entry],
    outfile: join(bundleDir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
});

afterAll(() => {
  rmSync(bundleDir, { recursive: true, force: true });
});

/**
 * Runs an example in a process of its own. The main entry comes from the
 * bundle, each example compiled alone: plain Node starts in a tenth of the
 * time tsx does, which adds up over two dozen examples. The inspector
 * finds its page next to its own module, so its examples run under tsx.
 */
function run(code: string): { stdout: string; stderr: string; status: number | null } {
  if (code.includes("from 'background-task-manager/inspector'")) return runWithTsx(code);
  const file = join(mkdtempSync(join(bundleDir, 'example-')), 'example.mjs');
  const { code: js } = transformSync(code.replaceAll("from 'background-task-manager'", "from '../index.js'"), {
    loader: 'ts',
    format: 'esm',
    target: 'node20', // lowers `await using`, which Node 20 cannot parse
  });
  writeFileSync(file, js);
  return spawnSync(process.execPath, [file], { cwd: root, encoding: 'utf8' });
}

function runWithTsx(code: string): { stdout: string; stderr: string; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'btm-readme-'));
  const file = join(dir, 'example.mts');
  writeFileSync(
    file,
    code
      .replaceAll("from 'background-task-manager'", `from '${entry}'`)
      .replaceAll("from 'background-task-manager/inspector'", `from '${inspectorEntry}'`),
  );
  try {
    return spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('README examples', () => {
  it('has runnable examples, most of them documenting their output', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(12);
    expect(blocks.filter((code) => documentedOutputs(code).length > 0).length).toBeGreaterThanOrEqual(9);
  });

  it('reads the output comments by syntax: strings, URLs and comments of their own are not outputs', () => {
    const code = [
      "console.log('a // b'); // a // b",
      '// prose on its own line',
      "const url = 'https://example.org'; // not a console.log",
      "manager.on('x', () => console.log(1)); // 1",
      'console.log(2);',
    ].join('\n');
    expect(documentedOutputs(code)).toEqual(['a // b', '1']);
  });

  it.each(blocks.map((code, index) => [index, code.split('\n').find((line) => line.includes('manager.')) ?? '', code]))(
    'example %i prints what its comments document, without an error (%s)',
    (_index, _line, code) => {
      const child = run(code);
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      const printed = child.stdout.split('\n').map((line) => line.trimEnd());
      const documented = documentedOutputs(code);
      expect(missing(printed, documented), `printed:\n${printed.join('\n')}`).toEqual([]);
    },
  );
});
