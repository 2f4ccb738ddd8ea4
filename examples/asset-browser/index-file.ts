// The index file: written by the metadata retriever's last task, completed at the end of the run
// with each image's thumbnail outcome.
import { dirname, relative } from 'node:path';
import { writeAtomically } from './atomic-write.js';
import type { ImageEntry } from './scan.js';
import type { ImageMetadata } from './tasks.worker.js';
import type { ThumbnailOutcome } from './thumbnails.js';

/** Writes `value` as JSON through a temporary file and a rename, so a reader never sees half a file. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeAtomically(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** One image in the complete index: its metadata (or why there is none) and its thumbnail's outcome. */
type IndexEntry = (ImageMetadata | { metadata: 'stopped' }) & {
  thumbnail: { status: ThumbnailOutcome['status']; path?: string; message?: string };
};

/** What the run knows of each image, for {@link completeIndex}. */
export interface RunRecords {
  metadata: (rel: string) => ImageMetadata | undefined;
  thumbnail: (rel: string) => ThumbnailOutcome | undefined;
}

/**
 * The complete index: every image with its metadata or error, and its thumbnail's outcome
 * (`made`/`cached` with the path relative to the index, `failed` with the message, or `stopped`).
 */
export function completeIndex(
  images: readonly ImageEntry[],
  records: RunRecords,
  header: { root: string; indexPath: string; size: number; interrupted: boolean },
): unknown {
  const entries: Record<string, IndexEntry> = {};
  for (const image of images) {
    const outcome = records.thumbnail(image.rel) ?? { status: 'stopped' };
    const thumbnail =
      outcome.status === 'made' || outcome.status === 'cached'
        ? { status: outcome.status, path: relative(dirname(header.indexPath), outcome.path).split('\\').join('/') }
        : outcome;
    entries[image.rel] = { ...(records.metadata(image.rel) ?? { metadata: 'stopped' }), thumbnail };
  }
  return {
    version: 1,
    root: header.root,
    thumbnailSize: header.size,
    interrupted: header.interrupted,
    images: entries,
  };
}
