// What the run prints at its end: the table, the failures, the paths, and with --json one line of JSON.
import type { ImageEntry } from './scan.js';
import type { ThumbnailOutcome } from './thumbnails.js';

/** The counts and paths of a run: what `--json` prints as the last line. */
export interface RunSummary {
  images: number;
  thumbnails: Record<ThumbnailOutcome['status'], number>;
  metadata: { indexed: number; failed: number };
  outDir: string;
  index: string;
}

/** At most this many failures are listed on the terminal; the index lists them all. */
const LISTED_FAILURES = 8;

/** The lines printed under the table. */
export function summaryLines(
  summary: RunSummary,
  images: readonly ImageEntry[],
  outcome: (rel: string) => ThumbnailOutcome | undefined,
  interrupted: boolean,
): string[] {
  const { made, cached, failed, stopped } = summary.thumbnails;
  const failures = images.flatMap((image) => {
    const result = outcome(image.rel);
    return result?.status === 'failed' ? [`  ${image.rel}: ${result.message}`] : [];
  });
  const more = failures.length - LISTED_FAILURES;
  return [
    ...(interrupted ? ['Interrupted: the counts below are partial.'] : []),
    `${summary.images} images: thumbnails ${made} made, ${cached} cached, ${failed} failed, ${stopped} stopped; metadata ${summary.metadata.indexed} indexed, ${summary.metadata.failed} failed`,
    ...(failures.length > 0 ? ['Thumbnails that failed:', ...failures.slice(0, LISTED_FAILURES)] : []),
    ...(more > 0 ? [`  … and ${more} more (see the index)`] : []),
    `Output: ${summary.outDir}`,
    `Index:  ${summary.index}`,
  ];
}
