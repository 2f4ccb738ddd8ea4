import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
// Blocks fenced as ```ts are complete programs; ```typescript blocks are fragments.
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] as string);
const entry = join(root, 'src/index.ts');
const inspectorEntry = join(root, 'src/inspector.ts');

describe('README examples', () => {
  it('has runnable examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(12);
  });

  it.each(blocks.map((code, index) => [index, code.split('\n').find((line) => line.includes('manager.')) ?? '', code]))(
    'example %i runs to its end without an error (%s)',
    (_index, _line, code) => {
      const dir = mkdtempSync(join(tmpdir(), 'btm-readme-'));
      const file = join(dir, 'example.mts');
      writeFileSync(
        file,
        code
          .replaceAll("from 'background-task-manager'", `from '${entry}'`)
          .replaceAll("from 'background-task-manager/inspector'", `from '${inspectorEntry}'`),
      );
      const child = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
    },
  );
});
