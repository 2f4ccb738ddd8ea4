import { request } from 'node:http';
import { startInspectorWith, type InspectorParts } from '../src/inspector/start-inspector.js';
import { runPlain } from './workloads.js';

/** How a run of workload 6 is inspected. */
export type InspectionMode = 'off' | 'noop' | 'inspector';

/** The page of workload 6: the inspector and an in-process event-stream client that reads every frame. */
export interface InspectedPage {
  readonly inspector: InspectorParts;
  /** Frames the client has read. */
  frames(): number;
  close(): Promise<void>;
}

/** Starts an inspector (its default pace: at most ten updates a second) and connects a reading page to it. */
export async function openPage(): Promise<InspectedPage> {
  const inspector = await startInspectorWith();
  let frames = 0;
  const url = new URL(inspector.url);
  const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: `/api/stream?token=${inspector.token}` }, resolve);
    req.on('error', reject);
    req.end();
  });
  response.on('data', (chunk: Buffer) => {
    for (const byte of chunk) if (byte === 0x0a) frames++;
  });
  return {
    inspector,
    frames: () => frames,
    close: async () => {
      response.destroy();
      await inspector.close();
    },
  };
}

const noop = (): void => {};

/**
 * Workload 1's tasks (trivial, mixed priorities and groups, 8 at a time)
 * with inspection off, a no-op observer, or the inspector with a page.
 */
export function runInspected(count: number, mode: InspectionMode, page: InspectedPage | undefined): Promise<void> {
  const inspect = mode === 'off' ? undefined : mode === 'noop' ? noop : page?.inspector.inspect;
  return runPlain(count, 8, inspect);
}
