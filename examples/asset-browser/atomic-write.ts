// Writes that a crash, a kill or a full disk cannot leave half done.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';

/**
 * Writes `data` to `path` through a temporary file beside it and a rename,
 * creating its folder: a reader, or a later run, sees the old file or the
 * whole new one, never half of it. A write that fails removes its temporary
 * file; one cut short by a kill leaves it, under a name no run reads.
 */
export async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}-${threadId}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
