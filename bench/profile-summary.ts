/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`) by self time:
 *   node --import tsx bench/profile-summary.ts /tmp/btm-prof/x.cpuprofile [top=25]
 * One line per function (name and file: tsx emits each module on one line,
 * so line numbers say nothing), self time in ms and % of all samples, and
 * the same grouped by file. `--cpu-prof` writes one profile per thread:
 * the main thread's is the `*.0.001.cpuprofile` (the other is tsx's loader).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface SelfTime {
  readonly name: string;
  readonly where: string;
  readonly micros: number;
  readonly share: number;
}

/** Self time per function and per file, largest first. */
export function summarise(profile: CpuProfile): { functions: SelfTime[]; files: SelfTime[]; totalMicros: number } {
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  let totalMicros = 0;
  profile.samples.forEach((nodeId, index) => {
    // timeDeltas[i] is the time before sample i; attribute the gap after a sample to it.
    const delta = profile.timeDeltas[index + 1] ?? 0;
    selfMicros.set(nodeId, (selfMicros.get(nodeId) ?? 0) + delta);
    totalMicros += delta;
  });
  const functions = new Map<string, { name: string; where: string; micros: number }>();
  const files = new Map<string, number>();
  for (const [nodeId, micros] of selfMicros) {
    const frame = (byNode.get(nodeId) as ProfileNode).callFrame;
    const name = frame.functionName || '(anonymous)';
    const file = frame.url === '' ? '' : basename(frame.url.replace(/\?.*$/, ''));
    const where = file;
    const key = `${name} ${where}`;
    const entry = functions.get(key) ?? { name, where, micros: 0 };
    entry.micros += micros;
    functions.set(key, entry);
    const fileKey = file === '' ? `(${name})` : file;
    files.set(fileKey, (files.get(fileKey) ?? 0) + micros);
  }
  const share = (micros: number): number => (totalMicros === 0 ? 0 : micros / totalMicros);
  return {
    totalMicros,
    functions: [...functions.values()]
      .map((entry) => ({ ...entry, share: share(entry.micros) }))
      .sort((a, b) => b.micros - a.micros),
    files: [...files]
      .map(([where, micros]) => ({ name: where, where: '', micros, share: share(micros) }))
      .sort((a, b) => b.micros - a.micros),
  };
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(basename(process.argv[1]))) {
  // `| head` closes the pipe early: end quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const [path, topArg = '25'] = process.argv.slice(2);
  if (path === undefined) throw new Error('Usage: profile-summary.ts <file.cpuprofile> [top]');
  const top = Number(topArg);
  if (!Number.isInteger(top) || top < 1) throw new RangeError(`Expected [top] to be a positive integer, got ${topArg}`);
  const percent = (entry: SelfTime): string => (entry.share * 100).toFixed(1).padStart(6);
  const millis = (entry: SelfTime): string => (entry.micros / 1000).toFixed(1).padStart(8);
  const { functions, files, totalMicros } = summarise(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile);
  console.log(`${basename(path)}: ${(totalMicros / 1000).toFixed(0)} ms sampled`);
  console.log('self %   self ms  function (file)');
  for (const entry of functions.slice(0, top)) {
    console.log(`${percent(entry)}  ${millis(entry)}  ${entry.name} ${entry.where}`);
  }
  console.log('\nby file:');
  for (const entry of files.slice(0, 12)) {
    console.log(`${percent(entry)}  ${millis(entry)}  ${entry.name}`);
  }
}
