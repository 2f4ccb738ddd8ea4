import type { Dirent } from 'node:fs';
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
 * folder (where the thumbnails go, when it lies inside `root`) are left out, and so is a
 * subfolder that cannot be read, which is handed to `unreadable`.
 * @throws the `readdir` error when `root` itself cannot be read.
 */
export async function scanImages(
  root: string,
  skip?: string,
  unreadable: (folder: string, error: Error) => void = () => undefined,
): Promise<ImageEntry[]> {
  const images: ImageEntry[] = [];
  const folders = [root];
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (folder === root) throw error;
      unreadable(folder, error as Error);
      continue;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const source = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (skip === undefined || relative(skip, source) !== '') folders.push(source);
        continue;
      }
      if (!entry.isFile() || !IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) continue;
      const rel = relative(root, source).split(sep).join('/');
      const slash = rel.lastIndexOf('/');
      images.push({ source, rel, folder: slash < 0 ? '.' : rel.slice(0, slash) });
    }
  }
  return images.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}
