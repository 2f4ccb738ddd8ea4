import { readdir } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';

/** An image file found under the folder being browsed. */
export interface ImageEntry {
  /** Absolute path. */
  source: string;
  /** Path relative to the folder, with `/` separators: the image's key in the index. */
  rel: string;
  /** `rel`'s folder, `.` for the top. */
  folder: string;
}

/**
 * The extensions scanned: what a user would call an image. PNG and JPEG are read; the others are
 * listed too and fail with "unsupported format", so the index says why they have no thumbnail.
 */
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.bmp', '.tif', '.tiff']);

/**
 * Every image file under `root`, recursively, sorted by path. Hidden entries and the `skip`
 * folder (the output folder, when it lies inside `root`) are left out.
 * @throws the `readdir` error when `root` cannot be read.
 */
export async function scanImages(root: string, skip?: string): Promise<ImageEntry[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const images: ImageEntry[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) continue;
    const source = join(entry.parentPath, entry.name);
    const rel = relative(root, source).split(sep).join('/');
    if (rel.split('/').some((part) => part.startsWith('.'))) continue;
    if (skip !== undefined && !relative(skip, source).startsWith('..')) continue;
    const slash = rel.lastIndexOf('/');
    images.push({ source, rel, folder: slash < 0 ? '.' : rel.slice(0, slash) });
  }
  return images.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}
