// @ts-check
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import jsdoc from 'eslint-plugin-jsdoc';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, top to bottom. Each folder may import only the ones
 * listed for it: inspector → api → scheduling → machines → core, workers →
 * core, and the scheduler meets the workers only through core's
 * WorkerRunner. Only the src/inspector.ts entry imports the inspector.
 */
const layers = {
  inspector: ['api', 'machines', 'core'],
  core: [],
  machines: ['core'],
  scheduling: ['machines', 'core'],
  workers: ['core'],
  api: ['scheduling', 'workers', 'machines', 'core'],
};
const folders = Object.keys(layers);

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'dist-examples/',
      'coverage/',
      'reports/',
      '.stryker-tmp*/',
      // git-ignored working folders: what is not committed is not linted
      'scratch/',
      '.cache/',
      'test-results/',
      '**/*.mjs',
      '**/*.cjs',
      '**/*.d.mts',
      'test/fixtures/inspector-page/',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Without the parser setting, import-x cannot read a TypeScript dependency and no-cycle sees no cycle.
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      // Cycles matter among the library's modules, whose layers they break; on tests and benches too, the rule took a fifth of the lint.
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...folders.map((folder) => ({
              target: `./src/${folder}`,
              from: './src',
              except: [`./${folder}`, ...layers[folder].map((allowed) => `./${allowed}`)],
              message: `src/${folder} may import only ${['itself', ...layers[folder].map((f) => `src/${f}`)].join(', ')}.`,
            })),
            ...['./src/index.ts', './src/worker.ts'].map((target) => ({
              target,
              from: './src/inspector',
              message: 'Only src/inspector.ts imports the inspector.',
            })),
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ...jsdoc.configs['flat/recommended-typescript-error'],
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'jsdoc/require-jsdoc': [
        'error',
        {
          publicOnly: true,
          checkConstructors: false,
          checkGetters: false,
          checkSetters: false,
          require: { ClassDeclaration: true, FunctionDeclaration: true, MethodDefinition: true },
          contexts: ['TSInterfaceDeclaration', 'TSTypeAliasDeclaration', 'TSEnumDeclaration'],
        },
      ],
      // An empty comment block satisfies require-jsdoc without documenting anything.
      'jsdoc/no-blank-blocks': 'error',
      'jsdoc/require-param': 'off',
      'jsdoc/require-returns': 'off',
      'jsdoc/tag-lines': 'off',
    },
  },
  {
    // Tests, fixtures, benchmarks and examples do odd things on purpose: tasks that throw values
    // that are not errors, async tasks with nothing to await, `await null` to yield to microtasks,
    // deferred<void>(), classes that stand in for ArrayBuffer.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
    rules: {
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/no-invalid-void-type': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/await-thenable': 'off',
    },
  },
  {
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
