// `--inspect`: the inspector page, when this build has it.
import type { BackgroundTaskManagerOptions } from 'background-task-manager';

/** A running inspector: pass `inspect` to the manager, show `url`, `close()` at the end. */
export interface Inspection {
  inspect: NonNullable<BackgroundTaskManagerOptions['inspect']>;
  url: string;
  close(): Promise<void>;
}

/** `--inspect` was asked for and this build has no inspector. */
export class InspectorUnavailableError extends Error {
  override readonly name = 'InspectorUnavailableError';
  readonly code = 'ERR_INSPECTOR_UNAVAILABLE';
}

/**
 * Starts the inspector page on a free loopback port.
 * @throws {InspectorUnavailableError} in this build, which has no inspector.
 */
export async function startInspection(): Promise<Inspection> {
  throw new InspectorUnavailableError('--inspect is not available in this build: it has no inspector page yet');
}
