import { describe, expect, it } from 'vitest';
import { formatScaling, measureScaling } from '../../bench/scaling.js';

// A smoke run so the benchmark cannot rot; speed itself is measured by `npm run bench`, never asserted here.
describe('bench/scaling (smoke)', () => {
  it('runs every size to completion and prints one line per size and the ratio last', async () => {
    const rows = await measureScaling([50, 200], 1);
    expect(rows.map((row) => row.tasks)).toEqual([50, 200]);
    expect(rows.every((row) => Number.isFinite(row.microsPerTask) && row.microsPerTask > 0)).toBe(true);
    const lines = formatScaling(rows);
    expect(lines).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/^scaling 200\/50: \d+\.\d\d$/);
  });
});
