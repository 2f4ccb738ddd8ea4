// Writes that a crash, a kill or a full disk cannot leave half done.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';

/** Writes started by this thread, for unique temporary names. */
let writes = 0;

/**
 * Writes `data` to `path` through a temporary file beside it and a rename,
 * creating its folder: a reader, or a later run, sees the old file or the
 * whole new one, never half of it (of two writes at once, the last to end
 * wins). A write that fails removes its temporary
 * file; one cut short by a kill leaves it, under a name no run reads.
 */
export async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // One name per write: two writes of one path at once must not share their temporary file.
  const temporary = `${path}.${process.pid}-${threadId}-${++writes}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
