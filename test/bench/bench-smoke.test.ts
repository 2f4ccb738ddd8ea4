import { describe, expect, it } from 'vitest';
import { QUICK_SIZES, runBench, runSectionInChild } from '../../bench/index.js';
import type { SectionName } from '../../bench/sections.js';

// A smoke run with small sizes so the harness cannot rot. Speed is reported by
// `npm run bench` as ratios, never asserted here: small runs are noise.
// Smaller still than --quick: only the harness is checked, and the suite has a time budget
// (so every section runs once in this process, and one of them in a process of its own).
const TINY = {
  ...QUICK_SIZES,
  mainTasks: 200,
  scalingSizes: [100, 200, 500, 1_000],
  depsTasks: 200,
  memoryTasks: 10_000,
  workerNoopTasks: 50,
  workerSpinTasks: 20,
  inspectedTasks: 200,
} as const;

describe('bench/index (smoke)', () => {
  it('runs every workload against every peer and returns every key of the JSON line', async () => {
    const lines: string[] = [];
    const result = await runBench({ ...TINY, inProcess: true, log: (line) => lines.push(line) });
    const keys = [
      'pqueue_over_ours_time_100k',
      'ours_over_fastq_time_100k',
      'scaling_100k_over_1k',
      'scaling_1m_over_1k',
      'deps_over_plain_100k',
      'pgraph_over_ours_time_dag_100k',
      'bytes_per_queued_ours',
      'bytes_per_queued_pqueue',
      'bytes_per_queued_fastq',
      'heap_retained_after_ratio',
      'worker_noop_ours_over_poolifier',
      'worker_1ms_ours_over_poolifier',
      'worker_noop_ours_over_piscina',
      'worker_noop_ours_over_one_in_flight',
      'inspector_over_noop_observer_100k',
      'inspection_off_over_plain_100k',
    ];
    expect(Object.keys(result).sort()).toEqual([...keys].sort());
    for (const key of keys) expect(Number.isFinite(result[key as keyof typeof result]), key).toBe(true);
    const rows = [
      '1. main thread',
      '2. scaling',
      '3. dependencies',
      'p-graph, the same graph',
      '4. memory',
      '5. worker',
      'no pool: 1 in flight',
      'no pool: all sent',
      '6. inspection',
      'inspector, page connected',
    ];
    expect(lines[0]).toContain('every section in this process');
    for (const start of rows) {
      expect(
        lines.some((line) => line.startsWith(start)),
        start,
      ).toBe(true);
    }
  });

  it('runs a section in a fresh process: its rows come through the log, its figures as the result', async () => {
    const lines: string[] = [];
    const main = await runSectionInChild('main', { ...TINY, log: (line) => lines.push(line) });
    expect(Object.keys(main).sort()).toEqual(['fastq', 'ours', 'p-queue']);
    for (const micros of Object.values(main)) expect(micros).toBeGreaterThan(0);
    expect(lines[0]).toBe('1. main thread: 200 trivial async tasks, 8 at a time');
    expect(lines.filter((line) => /^(ours|p-queue|fastq) \(/.test(line))).toHaveLength(3);
    expect(lines.some((line) => line.startsWith('@@'))).toBe(false);
  });

  it('rejects when the process of a section fails, with what it wrote to stderr', async () => {
    const run = runSectionInChild('nope' as SectionName, { ...TINY, log: () => {} });
    await expect(run).rejects.toThrow(
      /bench section nope failed \(exit code 1, signal null\)[^]*--section expects one of main, /,
    );
  });
});
