import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A user's view of the package: `npm pack`, install the tarball into an empty ESM project offline,
// compile a small TypeScript application against it under strict and nodenext, and run it.

const root = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  license: string;
  version: string;
  dependencies: Record<string, string>;
  exports: Record<string, unknown>;
  bin: Record<string, string>;
};

/**
 * ENTRY POINTS CHECKED. Every public entry point of the package, with the source it is built from:
 * each must be in package.json's `exports`, type-check and load from the installed tarball, and
 * export there what its source exports. Add `background-task-manager/inspector` here once it exists.
 */
const entryPoints = [
  { specifier: 'background-task-manager', source: 'src/index.ts' },
  { specifier: 'background-task-manager/worker', source: 'src/worker.ts' },
  { specifier: 'background-task-manager/inspector', source: 'src/inspector.ts' },
];

/**
 * Entry points that need the package's optional peer dependencies (bullmq, ioredis), which the
 * application here does not install: exported and shipped, loaded by the tests that use Redis.
 */
const peerEntryPoints = ['background-task-manager/bullmq'];

/** The inspector's page: bundled for the browser from `src/inspector/page/`, so not one module per source file. */
const pageFolder = 'inspector/page';
const pageAssets = ['app.js', 'favicon.svg', 'index.html', 'style.css'];

/** All the tarball holds besides `dist/`. */
const topLevelFiles = ['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json'];

/** What a package must never ship, wherever it sits: tests, benchmarks, fixtures, coverage, caches. */
const neverShipped = /(^|\/)(test|tests|bench|fixtures|coverage|node_modules|\.cache)\/|\.(test|bench)\.|tsbuildinfo/;

interface Run {
  status: number | null;
  output: string;
}

let workDir = '';
let shipped: string[] = [];
let installed = '';
let typeCheck: Run;
let app: Run;
let entries: Run;

/** Runs a command to its exit; what it printed, stdout then stderr. */
function run(command: string, args: string[], cwd: string): Run & { stdout: string } {
  const child = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (child.error) throw child.error;
  return { status: child.status, output: `${child.stdout}${child.stderr}`, stdout: child.stdout };
}

/** Runs a step the checks depend on; its failure is not what they check, so it throws with the output. */
function runOrThrow(command: string, args: string[], cwd: string): string {
  const child = run(command, args, cwd);
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${child.output}`);
  return child.stdout;
}

/** What the staging copy leaves out: outputs, caches and what the build does not read. */
const notStaged = new Set(['.git', 'node_modules', 'dist', 'dist-examples', 'coverage', 'test', 'bench', 'examples']);

/**
 * `npm pack` into `dir`, from a copy of the project in `dir/package` (its prepack builds dist/ there):
 * packing in place would empty and rebuild this checkout's dist/ while other test files may read it.
 * Returns the tarball's name and file list.
 */
function pack(dir: string): { filename: string; files: string[] } {
  const staged = join(dir, 'package');
  cpSync(root, staged, {
    recursive: true,
    filter: (source) => !notStaged.has(relative(root, source).split(sep)[0] ?? '') || source === root,
  });
  symlinkSync(join(root, 'node_modules'), join(staged, 'node_modules'), 'dir');
  const stdout = runOrThrow('npm', ['pack', '--json', '--pack-destination', dir], staged);
  const [result] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  return { filename: result.filename, files: result.files.map((file) => file.path).sort() };
}

/**
 * A lockfile for the application: the tarball, plus the package's dependencies exactly as this
 * repository's lockfile pins them, so that `npm install --offline` needs nothing but the npm cache
 * that `npm ci` filled (it holds their tarballs, not the registry's metadata an unlocked install asks for).
 */
function appLockfile(tarball: string): object {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dependencies?: Record<string, string> }>;
  };
  const packages: Record<string, object> = {
    '': { name: 'app', dependencies: { [manifest.name]: tarball } },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: tarball,
      dependencies: manifest.dependencies,
    },
  };
  const pending = Object.keys(manifest.dependencies);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    const entry = lock.packages[`node_modules/${name}`];
    if (entry === undefined) throw new Error(`package-lock.json does not pin ${name}`);
    packages[`node_modules/${name}`] = entry;
    pending.push(...Object.keys(entry.dependencies ?? {}).filter((dep) => !(`node_modules/${dep}` in packages)));
  }
  return { name: 'app', lockfileVersion: 3, requires: true, packages };
}

/** An empty ESM project with the tarball installed, the application's sources and its tsconfig. */
function createApp(dir: string, tarballName: string): void {
  mkdirSync(dir);
  const tarball = `file:../${tarballName}`;
  const packageJson = { name: 'app', private: true, type: 'module', dependencies: { [manifest.name]: tarball } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(appLockfile(tarball)));
  runOrThrow('npm', ['install', '--offline', '--no-audit', '--no-fund'], dir);
  cpSync(join(root, 'test/package/app'), dir, { recursive: true });
  const imports = entryPoints.map(({ specifier }, index) => `import * as entry${index} from '${specifier}';`);
  const names = entryPoints.map((_entry, index) => `Object.keys(entry${index}).sort()`);
  writeFileSync(
    join(dir, 'entries.ts'),
    `${imports.join('\n')}\nconsole.log(JSON.stringify([${names.join(', ')}]));\n`,
  );
  const compilerOptions = {
    target: 'es2022',
    lib: ['es2023'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    // Checking every declaration of @types/node and xstate too would triple the time; main.ts's
    // `@ts-expect-error` lines fail instead if the package's types are missing or `any`.
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(root, 'node_modules/@types')],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }));
}

/** The modules built from src/, one per source file, as paths without extension. */
function sourceModules(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.startsWith(pageFolder))
    .map((file) => file.replace(/\.ts$/, '').replaceAll('\\', '/'));
}

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'btm-tarball-'));
  const packed = pack(workDir);
  shipped = packed.files;
  const appDir = join(workDir, 'app');
  createApp(appDir, packed.filename);
  installed = join(appDir, 'node_modules', manifest.name);
  typeCheck = run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', appDir], appDir);
  app = run(process.execPath, ['main.js'], appDir);
  entries = run(process.execPath, ['entries.js'], appDir);
}, 120_000);

afterAll(() => {
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('can be published: not private, and MIT with the licence text', () => {
    expect(manifest).not.toHaveProperty('private');
    expect(manifest.license).toBe('MIT');
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
  });

  it('ships dist/, README.md, LICENSE, CHANGELOG.md and package.json, and no test, bench or cache file', () => {
    expect(shipped.filter((file) => !file.startsWith('dist/'))).toEqual(topLevelFiles);
    expect(shipped.filter((file) => neverShipped.test(file))).toEqual([]);
  });

  it('ships the JavaScript, the declarations and a self-contained source map of every source file', () => {
    const missing = sourceModules(join(root, 'src'))
      .flatMap((module) => [`dist/${module}.js`, `dist/${module}.d.ts`, `dist/${module}.js.map`])
      .filter((file) => !shipped.includes(file));
    expect(missing).toEqual([]);
    const maps = shipped.filter((file) => file.endsWith('.js.map'));
    const withoutSources = maps.filter((file) => {
      const map = JSON.parse(readFileSync(join(installed, file), 'utf8')) as {
        sources: string[];
        sourcesContent?: unknown[];
      };
      return (
        map.sourcesContent?.length !== map.sources.length || map.sourcesContent.some((text) => typeof text !== 'string')
      );
    });
    expect(maps.length).toBeGreaterThan(0);
    expect(withoutSources).toEqual([]);
  });

  it("ships the inspector's page assets", () => {
    const page = shipped.filter((file) => file.startsWith(`dist/${pageFolder}/`));
    expect(page.map((file) => file.slice(`dist/${pageFolder}/`.length)).sort()).toEqual(pageAssets);
  });

  it('exports exactly the entry points checked here, and package.json', () => {
    const specifiers = [...entryPoints.map(({ specifier }) => specifier), ...peerEntryPoints];
    const subpaths = specifiers.map((specifier) => `.${specifier.slice(manifest.name.length)}`);
    expect(Object.keys(manifest.exports).sort()).toEqual([...subpaths, './package.json'].sort());
  });
});

describe('an application installed from the tarball', () => {
  it('type-checks under strict and nodenext, with its own worker module', () => {
    expect(typeCheck.output).toBe('');
    expect(typeCheck.status).toBe(0);
  });

  it('runs a main-thread task with its TaskContext and a task of its own worker module, watched by the inspector', () => {
    const expected = { greeting: 'main thread ran as task 0', square: 50, inspected: { done: 2, page: 200 } };
    expect(app.output).toBe(`${JSON.stringify(expected)}\n`);
    expect(app.status).toBe(0);
  });

  it('installs the remote worker command, which says what it needs when bullmq is not installed', () => {
    const bin = manifest.bin['background-task-manager-worker'] ?? '';
    expect(readFileSync(join(installed, bin), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    const usage = run(process.execPath, [join(installed, bin)], installed);
    expect(usage.output).toMatch(/^Usage: background-task-manager-worker --redis redis:\/\/host:port --worker-script/);
    expect(usage.status).toBe(2);
    const withoutBullmq = run(
      process.execPath,
      [join(installed, bin), '--redis', 'redis://127.0.0.1:1', '--worker-script', 'w.js'],
      installed,
    );
    expect(withoutBullmq.output).toMatch(/needs the packages bullmq and ioredis: npm install bullmq ioredis/);
    expect(withoutBullmq.status).toBe(2);
  });

  it('loads every entry point with the exports of its source', async () => {
    expect(entries.status, entries.output).toBe(0);
    const expected = await Promise.all(
      entryPoints.map(async ({ source }) => Object.keys((await import(join(root, source))) as object).sort()),
    );
    expect(JSON.parse(entries.output)).toEqual(expected);
  });
});
