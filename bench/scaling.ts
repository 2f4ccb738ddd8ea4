/**
 * µs per task for 1k, 10k and 100k trivial main-thread tasks with mixed
 * priorities and groups; the last line is the 100k/1k ratio (flat is 1).
 * The same measurement as workload 2 of `npm run bench` (sizes interleaved,
 * small sizes run more often, best run kept), on its own:
 *   npm run bench:scaling            (or: node --expose-gc --import tsx bench/scaling.ts 1000 100000)
 */
import { pathToFileURL } from 'node:url';
import { measureScaling as measureInterleaved } from './measure.js';

export interface ScalingRow {
  readonly tasks: number;
  readonly microsPerTask: number;
}

/** Measures each size, `rounds` rounds of interleaved runs. */
export async function measureScaling(sizes: readonly number[], rounds = 5): Promise<ScalingRow[]> {
  const micros = await measureInterleaved(sizes, rounds);
  return sizes.map((tasks, index) => ({ tasks, microsPerTask: micros[index] as number }));
}

export function formatScaling(rows: readonly ScalingRow[]): string[] {
  const first = rows[0];
  const last = rows.at(-1);
  if (first === undefined || last === undefined) return [];
  return [
    ...rows.map((row) => `${String(row.tasks).padStart(9)} tasks  ${row.microsPerTask.toFixed(2).padStart(8)} µs/task`),
    `scaling ${label(last.tasks)}/${label(first.tasks)}: ${(last.microsPerTask / first.microsPerTask).toFixed(2)}`,
  ];
}

function label(tasks: number): string {
  return tasks >= 1_000_000 ? `${tasks / 1_000_000}m` : tasks >= 1000 ? `${tasks / 1000}k` : String(tasks);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = process.argv.slice(2).map(Number);
  const rows = await measureScaling(sizes.length > 0 ? sizes : [1_000, 10_000, 100_000]);
  for (const line of formatScaling(rows)) console.log(line);
}
