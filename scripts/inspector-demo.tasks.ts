// Worker tasks of the inspector screenshot's demo workload: CPU-bound stand-ins.
import { defineWorkerTasks } from '../src/worker.js';

function burn(ms: number): number {
  const end = performance.now() + ms;
  let spins = 0;
  while (performance.now() < end) spins++;
  return spins;
}

export default defineWorkerTasks({
  renderThumbnail: (size: number, kwargs: { path?: string }) => {
    burn(100 + size);
    return { thumbnail: `${kwargs.path ?? '?'}@${size}px` };
  },
  hashFile: (kwargs: { path?: string }) => ({
    sha256: `${(kwargs.path ?? '').length.toString(16)}f00d`,
    spins: burn(140),
  }),
});
